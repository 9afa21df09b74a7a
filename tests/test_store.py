from __future__ import annotations

import json
import multiprocessing as mp
import random
import signal
import subprocess
import sys
from datetime import date

import pytest

from casebook.errors import CaseInputError, CaseNotFoundError, ConflictError, CorruptCaseError, SchemaVersionError
from casebook.models import Order, Problem
from casebook.store import MIGRATIONS, Casebook
from tests.conftest import snapshot_tree
from tests.helpers import full_case, order_data


def new(book: Casebook, case_id: str | None = None, **order_overrides):
    return book.new_case(Order.model_validate(order_data(**order_overrides)), Problem(kind="damaged"), case_id=case_id)


def test_a_new_case_gets_a_readable_unique_id_and_revision_1(book):
    first = new(book)
    second = new(book)
    assert first.id == "20260301-aliexpress-0081234567890123"
    assert second.id == first.id + "-2"
    assert first.revision == 1 and book.get(first.id).revision == 1


def test_save_and_load_round_trip_every_field(book):
    case = book.add(full_case())
    assert book.get(case.id) == case
    case.notes = "바뀐 메모"
    book.save(case)
    assert book.get(case.id).notes == "바뀐 메모" and book.get(case.id).revision == 2


def test_saving_a_stale_copy_raises_a_conflict_and_keeps_the_newer_data(book):
    case = new(book, "c1")
    mine, theirs = book.get("c1"), book.get("c1")
    theirs.notes = "theirs"
    book.save(theirs)
    mine.notes = "mine"
    with pytest.raises(ConflictError, match="reload it"):
        book.save(mine)
    assert book.get(case.id).notes == "theirs"


def _load_wait_save(path: str, note: str, loaded, go, results) -> None:
    casebook = Casebook(path)
    case = casebook.get("shared")
    loaded.put(case.revision)
    go.wait(10)
    case.notes = note
    try:
        casebook.save(case)
        results.put((note, "saved"))
    except ConflictError as error:
        results.put((note, f"conflict: {error}"))


def test_two_processes_saving_the_same_case_cannot_lose_an_update(book):
    new(book, "shared")
    ctx = mp.get_context("fork")
    loaded, results = ctx.Queue(), ctx.Queue()
    go_first, go_second = ctx.Event(), ctx.Event()
    first = ctx.Process(target=_load_wait_save, args=(str(book.path), "first", loaded, go_first, results))
    second = ctx.Process(target=_load_wait_save, args=(str(book.path), "second", loaded, go_second, results))
    first.start(), second.start()
    assert [loaded.get(timeout=10), loaded.get(timeout=10)] == [1, 1]  # both hold revision 1
    go_first.set()
    assert results.get(timeout=10) == ("first", "saved")
    go_second.set()
    note, outcome = results.get(timeout=10)
    first.join(), second.join()
    assert note == "second" and outcome.startswith("conflict")
    stored = book.get("shared")
    assert stored.notes == "first" and stored.revision == 2


WRITER = """
import os, sys
from casebook.store import Casebook

def pause(point, n):
    # say where we are inside the save, then wait for the test to say go (or to kill us)
    print(point, n, flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit(3)

real_fdopen, real_replace = os.fdopen, os.replace
state = {"n": 0}

class HalfWriter:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)
    def write(self, data):
        half = len(data) // 2
        self.handle.write(data[:half])
        self.handle.flush()
        pause("half-written", state["n"])
        return self.handle.write(data[half:])
    def __getattr__(self, name):
        return getattr(self.handle, name)

def fdopen(fd, *args, **kwargs):
    return HalfWriter(real_fdopen(fd, *args, **kwargs))

def replace(src, dst):
    pause("before-rename", state["n"])
    real_replace(src, dst)
    pause("after-rename", state["n"])

os.fdopen, os.replace = fdopen, replace
book = Casebook(sys.argv[1])
while True:
    case = book.get("crash")
    n = (int(case.notes.split("x")[0][1:]) if case.notes else 0) + 1
    state["n"] = n
    case.notes = f"v{n}" + "x" * (n % 50) * 200
    book.save(case)
    pause("saved", n)
"""

POINTS = ("half-written", "before-rename", "after-rename", "saved")


def test_a_writer_killed_inside_a_save_never_leaves_a_half_written_case(book):
    """The writer pauses at each point of a save; the test kills it at a chosen point: no timing involved."""
    new(book, "crash")
    rng = random.Random(1234)
    killed_at: dict[str, int] = {point: 0 for point in POINTS}
    saved = 0
    for _round in range(40):
        target_save, target_point = rng.randint(1, 6), rng.choice(POINTS)
        start = book.get("crash")
        first = (int(start.notes.split("x")[0][1:]) if start.notes else 0) + 1
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(book.path)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdin is not None and writer.stdout is not None
        while True:
            point, n = writer.stdout.readline().split()
            if point == target_point and int(n) == first + target_save - 1:
                writer.send_signal(signal.SIGKILL)
                break
            writer.stdin.write("go\n")
            writer.stdin.flush()
        writer.wait()
        writer.stdin.close(), writer.stdout.close()
        killed_at[target_point] += 1
        case = book.get("crash")  # must load and validate
        on_disk = int(case.notes.split("x")[0][1:]) if case.notes else 0
        being_saved = first + target_save - 1
        expected = being_saved if target_point in ("after-rename", "saved") else being_saved - 1
        assert on_disk == expected, f"killed at {target_point} of save v{being_saved}: disk holds v{on_disk}"
        assert case.notes == (f"v{on_disk}" + "x" * (on_disk % 50) * 200 if on_disk else "")
        saved = on_disk
    assert all(killed_at.values()), f"every point of a save was interrupted at least once: {killed_at}"
    assert saved > 40 and book.ids() == ["crash"]


def test_a_corrupt_case_names_the_file_and_the_others_still_load(book):
    new(book, "good")
    new(book, "bad")
    (book.path / "bad" / "case.json").write_text('{"id": "bad", "schema_version": 1, "order": {', encoding="utf-8")
    with pytest.raises(CorruptCaseError) as info:
        book.get("bad")
    assert "bad/case.json" in str(info.value) and "not valid JSON" in str(info.value)
    assert [c.id for c in book] == ["good"]
    assert [b.case_id for b in book.broken()] == ["bad"]
    frame = book.to_frame()
    assert list(frame["id"]) == ["bad", "good"]
    assert "bad/case.json" in frame.set_index("id").loc["bad", "error"]


def test_a_hand_edited_invalid_field_is_named(book):
    new(book, "edited")
    path = book.path / "edited" / "case.json"
    data = json.loads(path.read_text())
    data["order"]["price"]["currency"] = "XYZ"
    path.write_text(json.dumps(data))
    with pytest.raises(CorruptCaseError, match=r"order\.price\.currency: unknown currency 'XYZ'"):
        book.get("edited")


def test_a_newer_schema_is_refused_and_an_older_one_without_migration_too(book):
    new(book, "old")
    path = book.path / "old" / "case.json"
    data = json.loads(path.read_text())
    for version, message in ((99, "newer casebook"), (0, "older than any")):
        data["schema_version"] = version
        path.write_text(json.dumps(data))
        with pytest.raises(SchemaVersionError, match=message):
            book.get("old")
    assert path.read_text() == json.dumps(data), "loading must never rewrite the file"


def test_an_older_schema_with_a_migration_is_upgraded_without_losing_data(book, monkeypatch):
    new(book, "old")
    path = book.path / "old" / "case.json"
    data = json.loads(path.read_text())
    data["schema_version"] = 0
    data["notes"] = None
    data["legacy_comment"] = "kept by the migration"
    path.write_text(json.dumps(data))

    def v0_to_v1(old: dict) -> dict:
        old["notes"] = old.pop("legacy_comment")
        old["schema_version"] = 1
        return old

    monkeypatch.setitem(MIGRATIONS, 0, v0_to_v1)
    assert book.get("old").notes == "kept by the migration"


def test_delete_moves_the_case_to_trash(book):
    new(book, "gone")
    target = book.delete("gone")
    assert target.parent.name == ".trash" and (target / "case.json").exists()
    assert "gone" not in book and book.ids() == []
    with pytest.raises(CaseNotFoundError):
        book.get("gone")


def test_bad_input_changes_nothing_on_disk(book):
    new(book, "kept")
    before = snapshot_tree(book.path)
    with pytest.raises(CaseInputError):
        book.new_case(Order.model_validate(order_data()), Problem(kind="damaged"), case_id="../escape")
    with pytest.raises(CaseInputError):
        book.get("/etc/passwd")
    case = book.get("kept")
    with pytest.raises(Exception):
        case.order.quantity = -3
    assert snapshot_tree(book.path) == before
    assert not (book.path.parent / "escape").exists()


def test_to_frame_has_one_row_per_case_with_the_overview_columns(seeded):
    frame = seeded.to_frame(today=date(2026, 11, 26))
    assert list(frame["id"]) == ["seed-a", "seed-b", "seed-c", "seed-d", "seed-e"]
    row = frame.set_index("id").loc["seed-c"]
    assert (row["problem"], row["stage"], row["currency"], row["amount"]) == ("late_delivery", "refund_paid", "USD", "19.80")
    assert row["days_since_order"] == (date(2026, 11, 26) - date(2026, 6, 1)).days
    assert frame["error"].isna().all()


def test_opening_a_folder_that_is_not_a_casebook_says_how_to_create_one(tmp_path):
    with pytest.raises(Exception, match="casebook init"):
        Casebook(tmp_path)


def test_ids_sort_as_people_count_c2_before_c10(book):
    for n, case_id in enumerate(("c10", "c2", "c1", "b", "c2-3", "c2-10")):
        new(book, case_id, order_id=f"819000000000{n}")
    assert book.ids() == ["b", "c1", "c2", "c2-3", "c2-10", "c10"]
    assert list(book.to_frame()["id"]) == book.ids()


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda d: d["order"].__setitem__("price", "38500"), "order.price", "not an amount with its currency"),
    (lambda d: d["order"]["price"].__setitem__("amount", "lots"), "order.price.amount", "lots"),
    (lambda d: d.__setitem__("problem", "broken"), "problem", "not a group of fields"),
    (lambda d: d["problem"].__setitem__("kind", "bogus"), "problem.kind", "'bogus' is not one of the accepted values"),
])
def test_a_hand_corrupted_case_is_a_row_naming_the_file_and_the_field(book, change, field, words):
    new(book, "good")
    new(book, "bad", order_id="8190000000000999")
    path = book.path / "bad" / "case.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    frame = book.to_frame().set_index("id")
    error = frame.loc["bad", "error"]
    assert str(path) in error and f"{field}: " in error and words in error, error
    assert "TypeError" not in error and "string indices" not in error
    assert frame["error"].isna()["good"]
