"""Hostile evidence: concurrent adds, removal to the trash, damaged images, wrong kinds, links, batch paths,
and location removal that holds (every copy in a pack is scanned for coordinates).

All fixtures are generated here (Pillow images, hand-built MP4/MOV boxes); nothing binary is committed.
"""

from __future__ import annotations

import io
import json
import multiprocessing as mp
import os
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from casebook.batch import BatchRow
from casebook.batch.orders import make_task
from casebook.errors import CaseInputError, EvidenceError
from casebook.evidence import (
    add_evidence,
    clean_copy,
    export_pack,
    find_coordinates,
    remove_evidence,
    resolve_inside,
    thumbnail,
    verify,
)
from casebook.models import Order, Problem
from casebook.store import Casebook
from tests.conftest import snapshot_tree
from tests.helpers import order_data

pytestmark = pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")

ISO = b"+37.5665+126.9780/"
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
       b'exif:GPSLatitude="37,33.99N" exif:GPSLongitude="126,58.68E"/></rdf:RDF></x:xmpmeta>')


@pytest.fixture
def case(book):
    return book.new_case(Order.model_validate(order_data()), Problem(kind="damaged"), case_id="ev")


# -- fixtures -----------------------------------------------------------------------------------------

def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Apple", "iPhone 15"
    exif.get_ifd(0x8769)[0x9003] = "2026:03:16 20:02:11"
    exif.get_ifd(0x8825).update({1: "N", 2: (37.0, 33.0, 58.0), 3: "E", 4: (126.0, 58.0, 40.0)})
    return exif


def picture(size=(64, 48)) -> Image.Image:
    image = Image.new("RGB", size)
    image.putdata([((x * 7) % 256, (y * 5) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    return image


def jpeg(size=(64, 48), **options) -> bytes:
    buffer = io.BytesIO()
    picture(size).save(buffer, "JPEG", exif=gps_exif().tobytes(), **options)
    return buffer.getvalue()


def segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def split_after_app1(data: bytes) -> tuple[bytes, bytes]:
    """The JPEG cut right after its EXIF APP1 segment."""
    at = data.index(b"\xff\xe1")
    end = at + 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    return data[:end], data[end:]


def jpeg_with_everything() -> bytes:
    """EXIF GPS, XMP, Extended XMP, a comment, Photoshop IRB, an MPF index, and a GPS-tagged picture after the end."""
    head, tail = split_after_app1(jpeg())
    extra = (segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
             + segment(0xE1, b"http://ns.adobe.com/xmp/extension/\x00" + b"0" * 32 + b"\x00\x00\x01\x00\x00\x00\x00\x00" + XMP)
             + segment(0xFE, b"taken at " + ISO)
             + segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10" + ISO)
             + segment(0xE2, b"MPF\x00" + b"\x00" * 16))
    return head + extra + tail + jpeg((8, 8))


def png(**texts) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("XML:com.adobe.xmp", XMP.decode())  # tEXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=False)  # iTXt
    info.add_text("Comment", f"found at {ISO.decode()}", zip=True)  # zTXt (compressed)
    info.add_itxt("Description", f"gps {ISO.decode()}", zip=True)  # compressed iTXt
    buffer = io.BytesIO()
    picture().save(buffer, "PNG", pnginfo=info, exif=gps_exif().tobytes())  # eXIf
    return buffer.getvalue()


def webp() -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, "WEBP", exif=gps_exif().tobytes(), xmp=XMP, quality=90)
    return buffer.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def full_box(kind: bytes, payload: bytes) -> bytes:
    return box(kind, b"\x00\x00\x00\x00" + payload)


def quicktime_meta() -> bytes:
    keys = [b"com.apple.quicktime.make", b"com.apple.quicktime.location.ISO6709", b"com.apple.quicktime.location.name"]
    keys_box = full_box(b"keys", struct.pack(">I", len(keys)) + b"".join(
        struct.pack(">I", 8 + len(k)) + b"mdta" + k for k in keys))
    values = [b"Apple", b"+37.5665+126.9780+012.345/", b"Mapo-gu, Seoul"]
    items = b"".join(box(struct.pack(">I", n), box(b"data", b"\x00\x00\x00\x01\x00\x00\x00\x00" + v))
                     for n, v in enumerate(values, start=1))
    return box(b"meta", full_box(b"hdlr", b"\x00" * 4 + b"mdta" + b"\x00" * 13) + keys_box + box(b"ilst", items))


def movie(brand: bytes = b"isom") -> bytes:
    xyz = box(b"\xa9xyz", b"\x00\x12\x15\xc7" + ISO)
    loci = full_box(b"loci", b"\x15\xc7" + b"Home\x00" + b"\x00" + struct.pack(">iii", 8_322_000, 2_462_000, 0) + b"earth\x00\x00")
    xmp_uuid = box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC") + XMP)
    mvhd = full_box(b"mvhd", struct.pack(">II", 3_856_000_000, 3_856_000_000) + b"\x00" * 88)
    track = box(b"trak", box(b"udta", xyz))
    moov = box(b"moov", mvhd + box(b"udta", xyz + loci + quicktime_meta()) + track + quicktime_meta())
    return box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand) + moov + xmp_uuid + box(b"mdat", b"\x00\x11" * 64)


def heic() -> bytes:
    return box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + box(b"meta", b"\x00" * 4 + box(b"Exif", ISO))


# -- concurrency ------------------------------------------------------------------------------------------

ROUNDS = 10
WORKERS = 4


def _adder(path: str, worker: int, barrier, errors) -> None:
    book = Casebook(path)
    for round_ in range(ROUNDS):
        barrier.wait(timeout=120)
        try:
            case = book.get("race")
            add_evidence(book, case, f"worker {worker} round {round_}\n".encode(), "other",
                         original_name=f"w{worker}-r{round_}.txt")
        except Exception as error:  # noqa: BLE001 - reported to the parent
            errors.put(f"{worker}/{round_}: {type(error).__name__}: {error}")


def test_four_processes_adding_evidence_at_once_never_lose_a_file(book):
    book.new_case(Order.model_validate(order_data()), Problem(kind="damaged"), case_id="race")
    ctx = mp.get_context("fork")
    barrier, errors = ctx.Barrier(WORKERS), ctx.Queue()
    workers = [ctx.Process(target=_adder, args=(str(book.path), n, barrier, errors)) for n in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert not failures, failures
    case = book.get("race")
    assert len(case.evidence) == WORKERS * ROUNDS
    assert len({e.id for e in case.evidence}) == len({e.file for e in case.evidence}) == WORKERS * ROUNDS
    assert verify(book, case) == [], "nothing missing, modified or unrecorded"
    names = {e.original_name for e in case.evidence}
    assert names == {f"w{w}-r{r}.txt" for w in range(WORKERS) for r in range(ROUNDS)}


def test_a_stray_file_with_the_next_name_is_never_overwritten(book, case):
    stray = book.evidence_dir("ev") / "E01-other.txt"
    stray.write_bytes(b"someone else's")
    record = add_evidence(book, case, b"mine", "other", original_name="a.txt").evidence
    assert record.file != "E01-other.txt" and stray.read_bytes() == b"someone else's"
    assert case.evidence == [record] and case.revision == book.get("ev").revision


def test_a_stale_case_object_does_not_lose_what_others_added(book, case):
    stale = book.get("ev")
    add_evidence(book, case, b"first", "other", original_name="1.txt")
    add_evidence(book, stale, b"second", "other", original_name="2.txt")
    assert [e.original_name for e in book.get("ev").evidence] == ["1.txt", "2.txt"] == [e.original_name for e in stale.evidence]


# -- removal -----------------------------------------------------------------------------------------------

def test_remove_moves_the_file_and_its_record_to_the_trash(book, case):
    first = add_evidence(book, case, jpeg(), "defect_photo").evidence
    second = add_evidence(book, case, b"receipt", "payment_record", original_name="r.txt").evidence
    removed = remove_evidence(book, "ev", first.id)
    assert removed.evidence == first and removed.file_moved
    assert removed.path.parent == book.path / ".trash"
    assert (removed.path / first.file).read_bytes() == jpeg()
    assert json.loads((removed.path / "record.json").read_text())["sha256"] == first.sha256
    stored = book.get("ev")
    assert stored.evidence == [second] and verify(book, stored) == []
    again = add_evidence(book, stored, b"new", "other", original_name="n.txt").evidence
    assert again.id not in {first.id, second.id}, "evidence ids are never reused"
    with pytest.raises(EvidenceError, match="no 'E99'.*E02"):
        remove_evidence(book, "ev", "E99")


# -- what comes in ----------------------------------------------------------------------------------------

def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + png_chunk(b"IEND", b""))


def truncated(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


BAD_IMAGES = [
    ("truncated-png", lambda: truncated(png()), "damaged or truncated"),
    ("truncated-jpeg", lambda: truncated(jpeg((256, 256))), "damaged or truncated"),
    ("bomb-png", lambda: png_claiming(40_000, 40_000), "decompression bomb"),
    ("bomb-warning-png", lambda: png_claiming(10_000, 10_000), "decompression bomb"),
    ("junk-gif", lambda: b"GIF89a\x10\x00\x10\x00" + bytes(range(190)), "damaged or truncated"),
    ("junk-webp", lambda: b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 40, "damaged or truncated"),
]


@pytest.mark.parametrize("name, make, words", BAD_IMAGES, ids=[b[0] for b in BAD_IMAGES])
def test_an_image_that_does_not_fully_decode_is_refused_and_nothing_is_written(book, case, name, make, words):
    before = snapshot_tree(book.path)
    with pytest.raises(EvidenceError, match=words):
        add_evidence(book, case, make(), "defect_photo", original_name=f"{name}.img")
    assert snapshot_tree(book.path) == before


def test_a_bomb_gives_no_thumbnail_rather_than_a_crash():
    assert thumbnail(png_claiming(40_000, 40_000), "image/png") is None


MISMATCHES = [
    ("defect_photo", b"plain text"), ("packaging_photo", b"%PDF-1.7\n"), ("size_photo", "movie"),
    ("label_photo", b"plain text"), ("product_page_screenshot", b"plain text"), ("order_page_screenshot", "movie"),
    ("tracking_screenshot", b"plain text"), ("chat_screenshot", "movie"), ("defect_video", "jpeg"),
    ("unboxing_video", b"%PDF-1.7\n"),
]


@pytest.mark.parametrize("kind, content", MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_content_that_does_not_fit_the_kind_is_refused(book, case, kind, content):
    data = {"movie": movie, "jpeg": jpeg}[content]() if isinstance(content, str) else content
    with pytest.raises(EvidenceError, match="needs") as refused:
        add_evidence(book, case, data, kind, original_name="x")
    assert refused.value.values["kind"].value == kind
    assert book.get("ev").evidence == []


@pytest.mark.parametrize("kind, data", [("order_page_screenshot", b"%PDF-1.7\n"), ("payment_record", b"receipt text"),
                                        ("customs_document", b"%PDF-1.4\n"), ("other", b"notes")])
def test_documents_are_fine_where_a_document_fits(book, case, kind, data):
    assert add_evidence(book, case, data, kind, original_name="doc").evidence.kind.value == kind


def test_a_symlinked_folder_anywhere_in_the_path_is_refused(book, case, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "photo.jpg").write_bytes(jpeg())
    os.symlink(real, tmp_path / "linked")
    with pytest.raises(EvidenceError, match="symbolic link"):
        add_evidence(book, case, tmp_path / "linked" / "photo.jpg", "defect_photo")
    nested = tmp_path / "linked" / "sub"
    nested.mkdir()
    (nested / "p.jpg").write_bytes(jpeg((10, 10)))
    with pytest.raises(EvidenceError, match="symbolic link"):
        add_evidence(book, case, nested / "p.jpg", "defect_photo")
    assert add_evidence(book, case, real / "photo.jpg", "defect_photo").evidence.id == "E01"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_or_a_folder_is_refused_without_waiting(book, case, tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    for path in (tmp_path / "pipe.jpg", tmp_path):
        with pytest.raises(EvidenceError, match="not a regular file"):
            add_evidence(book, case, path, "defect_photo")


def test_an_over_long_caption_is_a_field_error(book, case):
    with pytest.raises(CaseInputError, match="evidence.caption"):
        add_evidence(book, case, jpeg(), "defect_photo", "x" * 1_001)
    assert os.listdir(book.evidence_dir("ev")) == []


# -- batch evidence paths ----------------------------------------------------------------------------------

def test_evidence_paths_must_resolve_inside_the_root(tmp_path):
    root = tmp_path / "batch"
    (root / "photos").mkdir(parents=True)
    (root / "photos" / "a.jpg").write_bytes(b"x")
    (tmp_path / "secret.txt").write_text("private")
    os.symlink(tmp_path / "secret.txt", root / "photos" / "sneaky.jpg")
    assert resolve_inside("photos/a.jpg", root) == root / "photos" / "a.jpg"
    assert resolve_inside(root / "photos" / "a.jpg", root) == root / "photos" / "a.jpg"
    for bad in ("../secret.txt", "photos/../../secret.txt", str(tmp_path / "secret.txt"), "photos/sneaky.jpg", "/etc/passwd"):
        with pytest.raises(EvidenceError, match="outside"):
            resolve_inside(bad, root)


def _task(row, csv_folder, root=None):
    return make_task(row, output=csv_folder / "out", casebook_path=csv_folder / "book", notebooks_dir=csv_folder,
                     base=csv_folder, evidence_root=root)


def test_a_batch_row_naming_evidence_outside_its_folder_fails(tmp_path):
    values = {"order_id": "1", "evidence": "photos/a.jpg|defect_photo|ok; ../../etc/passwd|other|x"}
    row = BatchRow(1, "row001-1", values)
    assert "outside" in _task(row, tmp_path).input_error
    values["evidence"] = "photos/a.jpg|defect_photo|ok"
    task = _task(row, tmp_path)
    assert task.input_error is None
    assert task.parameters["03_collect_evidence"]["evidence"] == [str(tmp_path / "photos" / "a.jpg") + "|defect_photo|ok"]
    values.update(evidence="", paste_file="/etc/passwd")
    assert "outside" in _task(row, tmp_path).input_error, "a pasted page is read into the case too"


# -- location removal --------------------------------------------------------------------------------------

def decoded(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


CLEANABLE = [
    ("jpeg-everything", jpeg_with_everything, "image/jpeg"),
    ("jpeg-padding-after-app1", lambda: b"\xff\xff\xff\xff".join(split_after_app1(jpeg((200, 150)))), "image/jpeg"),
    ("jpeg-zero-padding-after-app1", lambda: (b"\x00" * 64).join(split_after_app1(jpeg((200, 150)))), "image/jpeg"),
    ("jpeg-junk-between-segments", lambda: b"JUNK".join(split_after_app1(jpeg((200, 150)))), "image/jpeg"),
    ("jpeg-unparsable-exif", lambda: (lambda h, t: h[:2] + segment(0xE1, b"Exif\x00\x00XX" + ISO * 3) + h[2:] + t)(
        *split_after_app1(jpeg())), "image/jpeg"),
    ("jpeg-progressive", lambda: jpeg((120, 90), progressive=True), "image/jpeg"),
    ("png-all-chunks", png, "image/png"),
    ("png-broken-crc", lambda: png()[:-5] + b"\x00" + png()[-4:], "image/png"),
    ("webp-exif-xmp", webp, "image/webp"),
]


@pytest.mark.parametrize("name, make, mime", CLEANABLE, ids=[c[0] for c in CLEANABLE])
def test_location_is_really_gone_and_the_picture_is_intact(name, make, mime):
    data = make()
    assert find_coordinates(data), "the fixture must carry a location for the test to mean anything"
    cleaned = clean_copy(data, mime)
    assert cleaned.location_removed and find_coordinates(cleaned.data) == [], cleaned.removed
    assert decoded(cleaned.data) == decoded(data), "same picture size"
    assert len(cleaned.data) > 200, "never an imageless stub"
    assert cleaned.data != data


def test_a_jpeg_that_cannot_be_cleaned_is_refused_not_copied():
    headers_only = split_after_app1(jpeg((200, 150)))[0] + b"\x00" * 64  # GPS EXIF, then no picture at all
    with pytest.raises(EvidenceError, match="damaged or truncated"):
        clean_copy(headers_only, "image/jpeg", name="stub.jpg")


def test_lossless_jpeg_cleaning_keeps_the_pixels_and_the_harmless_exif():
    data = jpeg_with_everything()
    cleaned = clean_copy(data, "image/jpeg")
    scan = data.index(b"\xff\xda")
    first_end = data.index(b"\xff\xd9", scan) + 2
    assert cleaned.data.endswith(data[scan:first_end]), "compressed pixels copied as they are, trailer dropped"
    with Image.open(io.BytesIO(cleaned.data)) as image:
        exif = image.getexif()
        assert exif.get(0x0110) == "iPhone 15" and exif.get_ifd(0x8769).get(0x9003) == "2026:03:16 20:02:11"
        assert not dict(exif.get_ifd(0x8825))
    for word in ("EXIF GPS", "XMP", "Extended XMP", "comment", "Photoshop/IPTC metadata", "multi-picture index"):
        assert word in cleaned.removed


@pytest.mark.parametrize("brand, mime", [(b"isom", "video/mp4"), (b"qt  ", "video/quicktime")])
def test_movie_location_bytes_are_zeroed_not_renamed(brand, mime):
    data = movie(brand)
    assert {"ISO 6709 +37.5665+126.9780/", "MP4 \xa9xyz box", "3GPP loci box"} <= set(find_coordinates(data))
    cleaned = clean_copy(data, mime)
    assert cleaned.location_removed and find_coordinates(cleaned.data) == []
    assert len(cleaned.data) == len(data), "box sizes unchanged"
    for needle in (ISO, b"+126.9780", b"Mapo-gu", b"GPSLatitude", b"\xa9xyz", b"loci"):
        assert needle not in cleaned.data, needle
    assert b"com.apple.quicktime.make" in cleaned.data and b"Apple" in cleaned.data, "other metadata kept"


def test_a_movie_whose_location_cannot_be_reached_is_flagged():
    data = box(b"ftyp", b"isom\x00\x00\x02\x00isom") + struct.pack(">I", 9_999_999) + b"moov" + box(b"\xa9xyz", ISO)
    cleaned = clean_copy(data, "video/mp4")
    assert not cleaned.location_removed and "NOT removed" in cleaned.removed[-1]


@pytest.mark.parametrize("data, mime", [(heic(), "image/heic"), (b"\x1a\x45\xdf\xa3" + ISO, "video/webm"),
                                        (b"%PDF-1.7\n" + XMP, "application/pdf"), (b"I was at " + ISO, "text/plain")])
def test_what_cannot_be_cleaned_is_flagged_never_shipped_as_clean(data, mime):
    cleaned = clean_copy(data, mime)
    assert not cleaned.location_removed and any("NOT removed" in r for r in cleaned.removed)


def test_every_copy_in_a_pack_is_free_of_coordinates_or_flagged(book, case, tmp_path):
    for data, kind in ((jpeg_with_everything(), "defect_photo"), (png(), "order_page_screenshot"), (webp(), "packaging_photo"),
                       (movie(), "unboxing_video"), (movie(b"qt  "), "defect_video"), (heic(), "label_photo"),
                       (b"%PDF-1.7\n" + XMP, "payment_record")):
        add_evidence(book, case, data, kind, original_name="f")
    items = export_pack(book, case, tmp_path / "pack")
    manifest = json.loads((tmp_path / "pack" / "manifest.json").read_text())
    flagged = []
    for item in items:
        copy = (tmp_path / "pack" / item.file).read_bytes()
        if item.location_removed:
            assert find_coordinates(copy) == [], item.file
        else:
            flagged.append(item.file)
            assert any("NOT removed" in r for r in item.removed)
    assert flagged == manifest["location_not_removed"] == ["06-label-photo.heic", "07-payment-record.pdf"]
    assert [f["location_removed"] for f in manifest["files"]] == [True] * 5 + [False] * 2


def test_an_explicit_evidence_root_allows_files_beside_the_spreadsheet(tmp_path):
    row = BatchRow(1, "row001-1", {"order_id": "1", "evidence": "../cases/a/photo.jpg|defect_photo|ok"})
    csv_folder = tmp_path / "batch"
    csv_folder.mkdir()
    assert "outside" in _task(row, csv_folder).input_error
    task = _task(row, csv_folder, tmp_path)
    assert task.input_error is None
    assert task.parameters["03_collect_evidence"]["evidence"] == [str(csv_folder / "../cases/a/photo.jpg") + "|defect_photo|ok"]


def test_the_report_and_the_pack_manifest_say_which_copy_still_carries_a_location(seeded, tmp_path):
    import zipfile

    from casebook import services

    services.add_evidence(seeded, "seed-a", b"%PDF-1.7\n" + XMP, "order_page_screenshot", "receipt", original_name="r.pdf")
    exported = services.export(seeded, "seed-a", tmp_path, formats=["zip", "html", "md"], today="2026-03-21")
    with zipfile.ZipFile(exported.files["pack"]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    (kept,) = manifest["location_not_removed"]
    assert kept.endswith(".pdf")
    html = exported.files["report_html"].read_text(encoding="utf-8")
    assert "location NOT removed from this copy" in html and "위치 정보는 지우지 못했습니다" in html
    assert "location NOT removed" in exported.files["report_md"].read_text(encoding="utf-8")
