"""What a careless or hostile user can do at the command line: one line, a non-zero exit, nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.examples import load_examples
from casebook.store import Casebook
from tests.conftest import snapshot_tree


def cli(*args: str, cwd: Path | None = None, **popen) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    return subprocess.run([sys.executable, "-m", "casebook.cli", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=cwd, **popen)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert result.stderr.startswith(("casebook: error: ", "casebook: 오류: ")), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.fixture
def book(tmp_path: Path) -> Casebook:
    casebook = Casebook.init(tmp_path / "book")
    load_examples(casebook, ids=("seed-a", "seed-b"))
    return casebook


def test_init_on_a_file_is_one_line(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    assert "is a file" in one_line_error(cli("init", str(target)))
    assert target.read_text(encoding="utf-8") == "x"


def test_summary_onto_a_directory_is_one_line(book, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    assert "폴더입니다" in one_line_error(cli("-C", str(book.path), "summary", "seed-a", "-o", str(folder)))
    packed = cli("-C", str(book.path), "summary", "seed-a", "--format", "zip", "-o", str(folder))
    assert packed.returncode == 0 and (folder / "seed-a-dispute-pack.zip").exists(), "a folder is fine for the pack"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the read-only error cannot be provoked")
def test_a_read_only_casebook_is_one_line_and_unchanged(book):
    before = snapshot_tree(book.path)
    for folder in [book.path, *(p for p in book.path.rglob("*") if p.is_dir())]:
        folder.chmod(0o555)
    try:
        error = one_line_error(cli("-C", str(book.path), "message", "seed-a", "--text", "hello"))
        assert str(book.path) in error
    finally:
        for folder in [book.path, *(p for p in book.path.rglob("*") if p.is_dir())]:
            folder.chmod(0o755)
    assert snapshot_tree(book.path) == before


def test_a_read_only_casebook_as_root_is_simulated_with_a_failing_write(book, monkeypatch):
    """Root ignores folder permissions: make the atomic write fail as a read-only file system would."""
    import errno

    from casebook import services

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(book.path / "seed-a" / "case.json"))

    before = snapshot_tree(book.path)
    monkeypatch.setattr("casebook.store._write_via_temp", refuse)
    from casebook.errors import CasebookError

    with pytest.raises(CasebookError) as info:
        services.log_message(book, "seed-a", "hello")
    assert "Read-only" in str(info.value) and "\n" not in str(info.value)
    assert snapshot_tree(book.path) == before


def test_a_closed_pipe_ends_quietly(book):
    process = subprocess.Popen([sys.executable, "-m", "casebook.cli", "-C", str(book.path), "schema"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # like `casebook schema | head -c 10`
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_a_case_with_an_unknown_field_is_a_row_and_the_rest_go_on(book, tmp_path):
    path = book.case_file("seed-b")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["colour"] = "red"
    path.write_text(json.dumps(data), encoding="utf-8")
    listing = cli("-C", str(book.path), "list", "--lang", "en")
    assert listing.returncode == 1 and "BROKEN seed-b" in listing.stdout and "seed-a" in listing.stdout
    verify = cli("-C", str(book.path), "verify", "--lang", "en")
    assert "BROKEN seed-b" in verify.stdout and "seed-a: OK" in verify.stdout
    from casebook import services
    from casebook.ui import OverviewPanel

    panel = OverviewPanel(services.open_casebook(book.path), lang="en")
    assert "seed-b" in panel.table.value and "colour" in panel.table.value and panel.errors == []
    assert "seed-a" in panel.table.value


def test_a_case_with_a_date_out_of_range_still_opens_and_says_so(book):
    path = book.case_file("seed-a")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["messages"][0]["at"] = "9999-01-01T00:00:00+00:00"
    path.write_text(json.dumps(data), encoding="utf-8")
    advise = cli("-C", str(book.path), "advise", "seed-a", "--lang", "en")
    assert advise.returncode == 0, advise.stderr
    verify = cli("-C", str(book.path), "verify", "seed-a", "--lang", "en")
    assert "read with a repair" in verify.stdout and "9999" in verify.stdout


def test_formula_cells_are_neutralised_in_the_overview_csv(book, tmp_path):
    from casebook import services

    case = book.get("seed-a")
    case.order.item_title = "=HYPERLINK(\"http://evil\")"
    book.save(case)
    path = services.overview_csv(book, tmp_path)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


# -- a new user in Korean mode (the default): every refusal in Korean, labels not internal keys ---------------------

def korean_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one-line error of a command run without --lang: Korean words, no English sentence."""
    import re

    line = one_line_error(result)
    assert line.startswith("casebook: 오류: ") and re.search(r"[가-힣]", line), line
    return line


def test_evidence_of_the_wrong_kind_is_refused_in_korean_with_labels_and_the_values_to_type(book):
    from casebook.i18n import label
    from casebook.models import EvidenceKind
    from tests.conftest import ROOT

    photo = str(ROOT / "examples" / "cases" / "seed-a" / "evidence" / "broken-cup.jpg")
    before = snapshot_tree(book.path)
    wrong = korean_error(cli("-C", str(book.path), "evidence", "add", "seed-b", photo, "--kind", "unboxing_video"))
    assert "'개봉 영상'에는 동영상이 필요합니다" in wrong and "needs" not in wrong
    assert "문제 부분 사진 (defect_photo)" in wrong and "기타 증거 (other)" in wrong, "kinds that fit a photo, to type"
    assert "개봉 영상 (unboxing_video)" not in wrong, "a video kind does not fit a photo"
    unknown = korean_error(cli("-C", str(book.path), "evidence", "add", "seed-b", photo, "--kind", "unboxing"))
    assert "'unboxing'은 증거 종류가 아닙니다" in unknown
    for kind in EvidenceKind:
        assert f"{label(kind, 'ko')} ({kind.value})" in unknown
    english = one_line_error(cli("-C", str(book.path), "evidence", "add", "seed-b", photo, "--kind", "unboxing", "--lang", "en"))
    assert "is not an evidence kind" in english and "Unboxing video (unboxing_video)" in english
    assert snapshot_tree(book.path) == before


def test_verify_and_a_refused_pack_say_in_korean_which_files_are_wrong_and_what_to_do(book, tmp_path):
    folder = book.evidence_dir("seed-a")
    (folder / "E01-defect-photo.jpg").write_bytes(b"changed")
    (folder / "E03-unboxing-video.mp4").unlink()
    verify = cli("-C", str(book.path), "verify")
    assert verify.returncode == 1, verify.stderr
    assert "seed-a: 변경됨 E01-defect-photo.jpg: E01(문제 부분 사진) 파일의 내용이 기록과 다릅니다" in verify.stdout
    assert "원본 파일로 되돌려 놓으세요" in verify.stdout
    assert "seed-a: 없음 E03-unboxing-video.mp4: E03(개봉 영상) 파일이 증거 폴더에서 사라졌습니다" in verify.stdout
    assert "seed-b: 이상 없음" in verify.stdout
    for english in ("MODIFIED", "MISSING", "defect_photo", "unboxing_video", "is gone"):
        assert english not in verify.stdout, english
    pack = korean_error(cli("-C", str(book.path), "summary", "seed-a", "--format", "zip", "-o", str(tmp_path)))
    assert "분쟁 자료를 만들지 않았습니다" in pack and "evidence does not verify" not in pack
    assert "E01-defect-photo.jpg (내용이 바뀜)" in pack and "E03-unboxing-video.mp4 (없음)" in pack
    assert "casebook verify seed-a" in pack and "casebook evidence remove seed-a" in pack
    assert not list(tmp_path.glob("*.zip")), "nothing is packed"
    english = one_line_error(cli("-C", str(book.path), "summary", "seed-a", "--format", "zip", "-o", str(tmp_path),
                                 "--lang", "en"))
    assert "E01-defect-photo.jpg (changed), E03-unboxing-video.mp4 (missing)" in english


def test_list_names_a_hand_corrupted_case_file_in_korean_and_still_lists_the_good_ones_in_natural_order(book):
    import shutil

    for case_id in ("c10", "c2"):
        shutil.copytree(book.path / "seed-a", book.path / case_id)
        data = json.loads((book.path / case_id / "case.json").read_text(encoding="utf-8"))
        data["id"], data["order"]["order_id"] = case_id, f"81900000000000{case_id[1:]}"
        (book.path / case_id / "case.json").write_text(json.dumps(data), encoding="utf-8")
    path = book.case_file("seed-b")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["order"]["price"] = "27900"  # hand-edited: the amount without its currency
    path.write_text(json.dumps(data), encoding="utf-8")
    listing = cli("-C", str(book.path), "list")
    assert listing.returncode == 1 and "Traceback" not in listing.stderr
    assert "TypeError" not in listing.stdout and "string indices" not in listing.stdout
    ids = [line.split()[0] for line in listing.stdout.splitlines()[1:] if not line.startswith("손상됨")]
    assert ids == ["c2", "c10", "seed-a"], listing.stdout
    (broken,) = [line for line in listing.stdout.splitlines() if line.startswith("손상됨")]
    assert broken.startswith(f"손상됨 seed-b: {path}: 결제 금액 (order.price): 27900은 통화가 붙은 금액이 아닙니다"), broken
    assert "파일을 고치거나" in broken


def test_a_photo_given_as_the_pasted_tracking_page_is_not_a_text_file_in_either_language(book, tmp_path):
    from tests.conftest import ROOT

    photo = str(ROOT / "examples" / "cases" / "seed-a" / "evidence" / "broken-cup.jpg")
    before = snapshot_tree(book.path)
    korean = korean_error(cli("-C", str(book.path), "track", "--case", "seed-a", "--paste", photo))
    assert "텍스트 파일이 아닙니다" in korean and "배송 조회 화면의 글자" in korean and ".txt 파일" in korean
    assert "Unicode" not in korean and "decode" not in korean
    english = one_line_error(cli("-C", str(book.path), "track", "--case", "seed-a", "--paste", photo, "--lang", "en"))
    assert "is not a text file; copy the text of the tracking page" in english and "into a .txt file" in english
    nul = tmp_path / "page.txt"
    nul.write_bytes(b"2026-03-10 10:00 \x00\x01 Shenzhen")
    assert "텍스트 파일이 아닙니다" in korean_error(cli("-C", str(book.path), "track", "RA123456785CN", "--paste", str(nul)))
    extract = korean_error(cli("-C", str(book.path), "track-number", "--extract", photo))
    assert "--extract" in extract and "텍스트 파일이 아닙니다" in extract
    missing = korean_error(cli("-C", str(book.path), "track", "--case", "seed-a", "--paste", str(tmp_path / "none.txt")))
    assert "none.txt 파일이 없습니다" in missing
    assert snapshot_tree(book.path) == before


def test_a_photo_given_as_the_paste_file_of_a_step_is_refused_the_same_way(book):
    from casebook import services
    from casebook.field_errors import error_text
    from tests.conftest import ROOT

    with pytest.raises(Exception) as info:
        services.track(book, "seed-a", paste_file=ROOT / "examples" / "cases" / "seed-a" / "evidence" / "broken-cup.jpg")
    assert error_text(info.value, "ko").startswith("paste_file: ") and "텍스트 파일이 아닙니다" in error_text(info.value, "ko")
    assert "is not a text file" in str(info.value)


def test_missing_or_wrong_flags_are_told_in_korean_with_what_is_accepted(book):
    missing = cli("-C", str(book.path), "evidence", "add", "seed-b")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.startswith("사용법: casebook evidence add")
    assert "꼭 주어야 하는 항목이 빠졌습니다: file, --kind" in missing.stderr
    assert "casebook evidence add: 오류: " in missing.stderr and "error:" not in missing.stderr
    assert "the following arguments are required" not in missing.stderr
    channel = cli("-C", str(book.path), "message", "seed-a", "--text", "hi", "--channel", "chat")
    assert "--channel: 'chat'" in channel.stderr and "판매자 채팅 (seller_chat)" in channel.stderr
    assert "invalid choice" not in channel.stderr
    number = cli("-C", str(book.path), "edit", "seed-a", "--quantity", "two")
    assert "--quantity: 'two'" in number.stderr and "정수가 아닙니다" in number.stderr
    stray = cli("-C", str(book.path), "list", "--bogus")
    assert "알 수 없는 옵션이나 남는 값이 있습니다: --bogus" in stray.stderr
    english = cli("-C", str(book.path), "evidence", "add", "seed-b", "--lang", "en")
    assert "missing file, --kind, which must be given" in english.stderr and english.stderr.startswith("usage: ")
    assert "casebook evidence add: error: " in english.stderr
    for args, words in ((["new", "--order-id", "8190000000000001"], "다음을 모두 주세요: --item, --price, --order-date, --problem"),
                        (["dispute", "seed-a"], "바꿀 내용이 없습니다"), (["track"], "운송장 번호, --case ID"),
                        (["track-number"], "운송장 번호를 하나 이상"), (["track", "--undo", "seed-a", "--all"], "사례 id만")):
        assert words in korean_error(cli("-C", str(book.path), *args)), args


def test_a_write_error_names_the_path_once_in_the_shoppers_language(book, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "message.txt"
    korean = korean_error(cli("-C", str(book.path), "summary", "seed-a", "-o", str(target)))
    assert korean.count(str(target)) == 1 and f"{target}에 쓸 수 없습니다" in korean, korean
    english = one_line_error(cli("-C", str(book.path), "summary", "seed-a", "-o", str(target), "--lang", "en"))
    assert english.count(str(target)) == 1 and english.startswith(f"casebook: error: cannot write {target}: "), english
    ics = one_line_error(cli("-C", str(book.path), "deadlines", "seed-a", "--ics", str(blocker / "d.ics"), "--lang", "en"))
    assert ics.count(str(blocker / "d.ics")) == 1
