from __future__ import annotations

import hashlib
import io
import json
import os
import struct

import pytest
from PIL import Image

from casebook.errors import EvidenceError
from casebook.evidence import add_evidence, export_pack, sniff_mime, strip_location, verify
from casebook.models import Order, Problem
from tests.conftest import ROOT, snapshot_tree
from tests.helpers import order_data

EXAMPLE = ROOT / "examples" / "cases" / "seed-a" / "evidence"


@pytest.fixture
def case(book):
    return book.new_case(Order.model_validate(order_data()), Problem(kind="damaged"), case_id="ev")


def jpeg_bytes(*, gps: bool = True) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Apple", "iPhone 15"
    exif.get_ifd(0x8769)[0x9003] = "2026:03:16 20:02:11"
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (37.0, 33.0, 58.0), 3: "E", 4: (126.0, 58.0, 40.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_a_file_is_copied_fingerprinted_and_dated_from_its_exif(book, case):
    source = EXAMPLE / "cracked-dripper.jpg"
    result = add_evidence(book, case, source, "defect_photo", "crack")
    record = result.evidence
    stored = book.evidence_dir("ev") / record.file
    assert not result.duplicate and record.id == "E01" and record.file == "E01-defect-photo.jpg"
    assert stored.read_bytes() == source.read_bytes()
    assert record.sha256 == hashlib.sha256(source.read_bytes()).hexdigest() and record.size == source.stat().st_size
    assert record.mime == "image/jpeg" and record.original_name == "cracked-dripper.jpg"
    assert record.captured_at.isoformat() == "2026-03-16T20:02:11" and record.device == "Samsung Galaxy S24"
    assert book.get("ev").evidence == [record]


def test_the_type_comes_from_the_content_not_the_extension(book, case):
    png = (EXAMPLE / "order-page.png").read_bytes()
    record = add_evidence(book, case, png, "order_page_screenshot", original_name="looks-like.jpg").evidence
    assert record.mime == "image/png" and record.file.endswith(".png")


def test_a_video_gets_its_creation_time_from_the_mp4_header(book, case):
    record = add_evidence(book, case, EXAMPLE / "unboxing.mp4", "unboxing_video").evidence
    assert record.mime == "video/mp4" and record.captured_at.isoformat() == "2026-03-16T11:05:00+00:00"


def test_the_same_file_added_twice_is_kept_once(book, case):
    first = add_evidence(book, case, EXAMPLE / "broken-cup.jpg", "defect_photo")
    again = add_evidence(book, case, (EXAMPLE / "broken-cup.jpg").read_bytes(), "packaging_photo", original_name="copy.jpg")
    assert again.duplicate and again.evidence == first.evidence
    assert len(book.get("ev").evidence) == 1 and len(list(book.evidence_dir("ev").iterdir())) == 1


def refusals(tmp_path):
    link = tmp_path / "link.jpg"
    os.symlink(EXAMPLE / "broken-cup.jpg", link)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    return [
        (empty, {}, "empty"),
        (EXAMPLE / "broken-cup.jpg", {"max_bytes": 1000}, "above the limit"),
        (b"PK\x03\x04" + b"\x00" * 200, {"original_name": "evidence.zip"}, "not an accepted type"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, {"original_name": "a.jpg"}, "not an accepted type"),
        (b"hello", {"original_name": "../../etc/passwd"}, "not a plain file name"),
        (b"hello", {"original_name": "sub/dir.txt"}, "not a plain file name"),
        (b"hello", {"original_name": ".."}, "not a plain file name"),
        (link, {}, "symbolic link"),
        (tmp_path / "missing.jpg", {}, "does not exist"),
    ]


def test_bad_evidence_is_refused_with_a_specific_error_and_changes_nothing(book, case, tmp_path):
    before = snapshot_tree(book.path)
    for source, options, message in refusals(tmp_path):
        with pytest.raises(EvidenceError, match=message):
            add_evidence(book, case, source, "defect_photo", **options)
        assert snapshot_tree(book.path) == before, message
    with pytest.raises(EvidenceError, match="not an evidence kind"):
        add_evidence(book, case, b"hello", "selfie", original_name="a.txt")
    assert book.get("ev").evidence == [] and case.evidence == []


def test_a_relative_source_path_with_dotdot_is_resolved_and_accepted(book, case, tmp_path):
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (tmp_path / "a" / "photo.jpg").write_bytes(jpeg_bytes())
    record = add_evidence(book, case, folder / ".." / "photo.jpg", "defect_photo").evidence
    assert record.original_name == "photo.jpg"


def test_sniffing_recognises_the_accepted_types():
    assert sniff_mime(b"%PDF-1.7\n") == "application/pdf"
    assert sniff_mime("주문 내역 텍스트".encode()) == "text/plain"
    assert sniff_mime(b"\x00\x00\x00\x18ftypqt  ") == "video/quicktime"
    assert sniff_mime(b"\x00\x00\x00\x18ftypheic") == "image/heic"
    assert sniff_mime(b"\x1aE\xdf\xa3") == "video/webm"
    assert sniff_mime(b"\x00\x01\x02\xff") is None


# -- verify -------------------------------------------------------------------------------

def tamper_modify(folder, record):
    path = folder / record.file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return ("modified", record.file)


def tamper_delete(folder, record):
    (folder / record.file).unlink()
    return ("missing", record.file)


def tamper_extra(folder, record):
    (folder / "sneaked-in.jpg").write_bytes(b"\xff\xd8\xff extra")
    return ("unrecorded", "sneaked-in.jpg")


def tamper_rename(folder, record):
    (folder / record.file).rename(folder / ("renamed-" + record.file))
    return ("renamed", record.file)


@pytest.mark.parametrize("tamper", [tamper_modify, tamper_delete, tamper_extra, tamper_rename])
def test_verify_catches_every_injected_tampering_and_changes_nothing(seeded, tamper):
    caught = 0
    injected = 0
    for case_id in seeded.ids():
        case = seeded.get(case_id)
        assert verify(seeded, case) == []
        for record in case.evidence:
            folder = seeded.evidence_dir(case_id)
            pristine = snapshot_tree(folder)
            expected = tamper(folder, record)
            injected += 1
            tampered = snapshot_tree(folder)
            issues = verify(seeded, case)
            assert snapshot_tree(folder) == tampered, "verify must not modify anything"
            found = {(i.problem, i.file) for i in issues}
            caught += expected in found
            for name in {p.name for p in folder.iterdir()}:
                (folder / name).unlink()
            for name, data in pristine.items():
                (folder / name).write_bytes(data)
    assert injected == 14 and caught == injected


def test_verify_on_the_command_line_exits_non_zero_naming_the_file(seeded, capsys):
    from casebook.cli import main

    (seeded.evidence_dir("seed-b") / "E01-defect-photo.jpg").write_bytes(b"changed")
    assert main(["-C", str(seeded.path), "verify", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "seed-b: MODIFIED E01-defect-photo.jpg" in out and "seed-a: OK" in out


# -- export -------------------------------------------------------------------------------

def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(0x8825))


def test_the_pack_strips_gps_keeps_originals_and_matches_its_manifest(seeded, tmp_path):
    case = seeded.get("seed-a")
    originals = snapshot_tree(seeded.evidence_dir("seed-a"))
    assert gps_of(originals["E01-defect-photo.jpg"]), "the example photo must carry GPS for this test to mean anything"
    items = export_pack(seeded, case, tmp_path / "pack")
    assert snapshot_tree(seeded.evidence_dir("seed-a")) == originals
    manifest = json.loads((tmp_path / "pack" / "manifest.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in manifest["files"]] == ["01-defect-photo.jpg", "02-defect-photo.jpg", "03-unboxing-video.mp4",
                                                     "04-packaging-photo.jpg", "05-order-page-screenshot.png"]
    for entry, item in zip(manifest["files"], items):
        data = (tmp_path / "pack" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256_copy"] == item.sha256_copy
        assert entry["sha256_original"] == hashlib.sha256(originals[f"{entry['id']}-{entry['file'][3:]}"]).hexdigest()
        if entry["file"].endswith(".jpg"):
            assert gps_of(data) == {}
            with Image.open(io.BytesIO(data)) as image:
                assert image.getexif().get(0x0110) == "Galaxy S24", "non-location EXIF is kept"
    assert "EXIF GPS" in manifest["files"][0]["removed"]


def test_the_pack_can_downscale_images(seeded, tmp_path):
    export_pack(seeded, seeded.get("seed-a"), tmp_path / "small", max_pixels=100)
    with Image.open(tmp_path / "small" / "01-defect-photo.jpg") as image:
        assert max(image.size) == 100 and not dict(image.getexif().get_ifd(0x8825))


def test_jpeg_stripping_is_lossless_for_the_image_data():
    data = jpeg_bytes()
    stripped, removed = strip_location(data, "image/jpeg")
    assert removed == ["EXIF GPS"] and gps_of(stripped) == {}
    scan = data.index(b"\xff\xda")
    assert stripped.endswith(data[scan:]), "pixels untouched: only the metadata segment changed"


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def test_mp4_location_atoms_are_neutralised():
    location = box(b"\xa9xyz", b"\x00\x11\x15\xc7+37.5665+126.9780/")
    movie = box(b"ftyp", b"isom\x00\x00\x02\x00isom") + box(b"moov", box(b"udta", location)) + box(b"mdat", b"\x00" * 32)
    stripped, removed = strip_location(movie, "video/mp4")
    assert removed == ["MP4 \xa9xyz"] and b"\xa9xyz" not in stripped and len(stripped) == len(movie)


def test_export_refuses_evidence_that_does_not_verify(seeded, tmp_path):
    (seeded.evidence_dir("seed-b") / "E01-defect-photo.jpg").unlink()
    with pytest.raises(EvidenceError, match=r"E01-defect-photo.jpg \(missing\)"):
        export_pack(seeded, seeded.get("seed-b"), tmp_path / "pack")


def test_formats_that_cannot_be_stripped_say_so_in_the_manifest():
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64
    copy, removed = strip_location(heic, "image/heic")
    assert copy == heic and removed and "NOT removed" in removed[0]
    assert strip_location(b"%PDF-1.7", "application/pdf") == (b"%PDF-1.7", [])


def test_a_kind_that_does_not_match_the_content_is_refused(book, case):
    # was a warning; refused since issue #13: a text file is no defect photo, and the pack would claim it was
    with pytest.raises(EvidenceError, match='"Photo of the problem" needs an image'):
        add_evidence(book, case, b"just some text", "defect_photo", original_name="notes.txt")
    assert book.get("ev").evidence == []
    assert add_evidence(book, case, b"just some text", "other", original_name="notes.txt").evidence.mime == "text/plain"
    video = add_evidence(book, case, (EXAMPLE / "unboxing.mp4").read_bytes(), "unboxing_video", original_name="v.mp4")
    assert video.warnings == ()
