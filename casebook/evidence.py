"""Evidence files: import, fingerprint, verify, and export for sharing.

Refunds are won by evidence (docs/domain.md, "Evidence that wins"), and evidence is only worth
something if it is intact: every file is copied into the case's
``evidence/`` folder under a generated name, fingerprinted (SHA-256), typed
from its content (not its extension) and, for photos and videos, dated from
its own metadata. ``verify`` proves nothing was changed; ``export_pack``
makes copies safe to share (location metadata removed, originals untouched).

Hostile files are refused at the door: symlinks anywhere in the source
path, images that do not fully decode (truncated, decompression bombs),
content that does not fit the kind (a text file as a defect photo). Names
are chosen under the case's lock and written without replacing, so
concurrent adds never lose each other's file; ``remove_evidence`` moves a
file and its record to the casebook's ``.trash/``.

Location removal is checked, not assumed: every shareable copy is scanned
with ``find_coordinates``; what cannot be cleaned is flagged
(``PackItem.location_removed`` False, "location NOT removed"), never
shipped as clean.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import CaseInputError, EvidenceError
from .field_errors import EvidenceRefused
from .i18n import Text
from .models import Case, Evidence, EvidenceKind, utc_now
from .store import TRASH, Casebook, atomic_write_bytes, write_new_file

__all__ = [
    "ACCEPTED_TYPES",
    "DEFAULT_MAX_BYTES",
    "EvidenceAdded",
    "VerifyIssue",
    "PackItem",
    "sniff_mime",
    "add_evidence",
    "remove_evidence",
    "EvidenceRemoved",
    "resolve_inside",
    "check_image",
    "find_coordinates",
    "clean_copy",
    "CleanCopy",
    "KIND_CONTENT",
    "verify",
    "export_pack",
    "pack_copies",
    "pack_name",
    "strip_location",
    "thumbnail",
]

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
# Warn (not refuse) above these: AliExpress publishes no upload limits (docs/domain.md#no-source-found).
WARN_IMAGE_BYTES = 5 * 1024 * 1024
WARN_VIDEO_BYTES = 50 * 1024 * 1024

ACCEPTED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/bmp": ".bmp",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "video/x-msvideo": ".avi",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


def sniff_mime(data: bytes) -> str | None:
    """The file's type from its first bytes; ``None`` when it is not an accepted type."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:2] == b"BM" and len(data) > 26 and struct.unpack("<I", head[14:18])[0] in (12, 40, 52, 56, 64, 108, 124):
        return "image/bmp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if b"\x00" not in data[:8192]:
        try:
            data[:65536].decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < 65536 - 4:  # a multi-byte character cut at the boundary is fine
                return None
        return "text/plain"
    return None


# What each kind must contain: a photo kind needs an image, a screenshot an image or a PDF (a saved page),
# a video kind a video. Other kinds (payment record, customs document, other) take any accepted type.
_PHOTO = ("image/",)
_SCREEN = ("image/", "application/pdf")
_VIDEO = ("video/",)
KIND_CONTENT: dict[EvidenceKind, tuple[str, ...]] = {
    EvidenceKind.DEFECT_PHOTO: _PHOTO, EvidenceKind.PACKAGING_PHOTO: _PHOTO, EvidenceKind.SIZE_PHOTO: _PHOTO,
    EvidenceKind.LABEL_PHOTO: _PHOTO, EvidenceKind.PRODUCT_PAGE_SCREENSHOT: _SCREEN,
    EvidenceKind.ORDER_PAGE_SCREENSHOT: _SCREEN, EvidenceKind.TRACKING_SCREENSHOT: _SCREEN,
    EvidenceKind.CHAT_SCREENSHOT: _SCREEN, EvidenceKind.DEFECT_VIDEO: _VIDEO, EvidenceKind.UNBOXING_VIDEO: _VIDEO,
}
_CONTENT_KEYS = {"image/": "image", "application/pdf": "pdf", "video/": "video", "text/": "text"}  # upload_error.content.*
MAX_FRAMES = 500  # an animated GIF as evidence: more frames is not a photo


@dataclass(frozen=True)
class EvidenceAdded:
    """What ``add_evidence`` did: the record, and whether it was already there."""

    evidence: Evidence
    duplicate: bool
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceRemoved:
    """What ``remove_evidence`` moved: the record, the trash folder holding it, and whether the file was there."""

    evidence: Evidence
    path: Path
    file_moved: bool


def _check_name(name: str) -> str:
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name or ".." in Path(name).parts:
        raise EvidenceError(
            f"original_name: {name!r} is not a plain file name (no folders, no '..'); give just the name, e.g. 'photo.jpg'"
        )
    if len(name) > 255:
        raise EvidenceError(f"original_name: {name[:40]!r}… is {len(name)} characters long; at most 255 are accepted")
    return name


def _refuse_symlinks(path: Path) -> None:
    """Refuse a path with a symbolic link anywhere in it, as written (a linked folder must not smuggle files in)."""
    prefix = Path(path.anchor) if path.is_absolute() else Path()
    for part in path.parts[1:] if path.is_absolute() else path.parts:
        prefix = prefix / part
        if part not in (".", "..") and prefix.is_symlink():
            where = "" if prefix == path else f" (its folder {prefix} is a link)"
            raise EvidenceError(f"file: {path} is a symbolic link{where}; add the real file instead")


def resolve_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> Path:
    """``path`` (relative to ``root`` unless absolute) if it really lies inside ``root``, links followed; else ``EvidenceError``.

    Why: a batch spreadsheet names evidence files; ``../../.ssh/id_rsa`` or a
    link pointing out of the folder must not be copied into a case (and from
    there into a dispute pack).
    """
    base = Path(root)
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = base / candidate
    try:
        real_root = base.resolve(strict=True)
        real = candidate.resolve()
    except (OSError, RuntimeError) as error:
        raise EvidenceError(f"file: {path} cannot be resolved ({error})") from None
    if not real.is_relative_to(real_root):
        raise EvidenceError(f"file: {path} is outside {real_root}; evidence listed in a batch must be inside its folder "
                            "(or the evidence root given)")
    return candidate


def _read_source(source: str | os.PathLike[str] | bytes, original_name: str | None, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = _check_name(original_name or "upload")
    else:
        path = Path(source)
        _refuse_symlinks(path)
        try:
            # no link swapped in after the check; non-blocking so a FIFO cannot hang us before fstat refuses it
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            raise EvidenceError(f"file: {path.resolve()} does not exist") from None
        except OSError as error:
            if path.is_symlink():
                raise EvidenceError(f"file: {path} is a symbolic link; add the file it points to instead") from None
            raise EvidenceError(f"file: {path} cannot be read ({error.strerror or error})") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise EvidenceError(f"file: {path.resolve()} is not a regular file")
            if info.st_size > max_bytes:
                raise EvidenceError(f"file: {path} is {info.st_size:,} bytes, above the limit of {max_bytes:,}; "
                                    "compress it or raise max_bytes")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(max_bytes + 1)
        finally:
            os.close(fd)
        name = _check_name(original_name or path.name)
    if not data:
        raise EvidenceError(f"file: {name!r} is empty (0 bytes); nothing to keep as evidence")
    if len(data) > max_bytes:
        raise EvidenceError(f"file: {name!r} is {len(data):,} bytes, above the limit of {max_bytes:,}; compress it or raise max_bytes")
    return data, name


@contextmanager
def _decoding(name: str) -> Iterator[None]:
    """Pillow errors (and decompression-bomb warnings) as one ``EvidenceError`` naming the file."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise EvidenceError(f"file: {name!r} decodes to more than {Image.MAX_IMAGE_PIXELS:,} pixels "
                                "(a decompression bomb, or a far too large picture); refused") from None
        except EvidenceError:
            raise
        except MemoryError:
            raise EvidenceError(f"file: {name!r} needs more memory to decode than is available; refused") from None
        except Exception as error:  # noqa: BLE001 - Pillow raises many types on damaged input
            detail = " ".join(str(error).split())[:120] or type(error).__name__
            raise EvidenceError(f"file: {name!r} is a damaged or truncated image ({detail}); add the original file") from None


def check_image(data: bytes, mime: str, name: str = "upload") -> tuple[int, int] | None:
    """Decode every pixel (and frame) of an image; its size, or ``EvidenceError`` if it is damaged or a bomb.

    HEIC is not decodable here (no plugin) and is let through as it is.
    """
    if not mime.startswith("image/") or mime == "image/heic":
        return None
    from PIL import Image

    with _decoding(name):
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_FRAMES:
                raise EvidenceError(f"file: {name!r} has {frames:,} frames; at most {MAX_FRAMES} are accepted for an image")
            size = image.size
            for index in range(frames):
                image.seek(index)
                image.load()
    return size


def _content(prefixes: tuple[str, ...]) -> Text:
    """What a kind needs or a file is, in words: "a photo or image", "a photo or image or a PDF" …"""
    words = [Text(f"upload_error.content.{_CONTENT_KEYS[p]}") for p in prefixes]
    shown = words[0]
    for word in words[1:]:
        shown = Text("upload_error.content.either", a=shown, b=word)
    return shown


def _kind_choice(kind: EvidenceKind) -> Text:
    """``개봉 영상 (unboxing_video)``: the label a shopper reads and the value to type after ``--kind``."""
    return Text("upload_error.kind_choice", kind=kind, value=kind.value)


def _check_kind(kind: EvidenceKind, mime: str, name: str) -> None:
    wanted = KIND_CONTENT.get(kind)
    if wanted and not mime.startswith(wanted):
        found = next((p for p in _CONTENT_KEYS if mime.startswith(p)), "text/")
        fits = [k for k, needs in KIND_CONTENT.items() if mime.startswith(needs)] + [EvidenceKind.OTHER]
        raise EvidenceRefused("upload_error.kind_mismatch", name=name, found=_content((found,)), mime=mime, kind=kind,
                              value=kind.value, wanted=_content(wanted), fits=fits,
                              fits_typed=[_kind_choice(k) for k in fits])


_EVIDENCE_NUMBER = re.compile(r"^E(\d{2,4})")


def _next_number(book: Casebook, case: Case) -> int:
    """One more than any evidence number in the record, the evidence folder or the trash: ids are never reused."""
    numbers = [int(e.id[1:]) for e in case.evidence]
    folder = book.evidence_dir(case.id)
    if folder.is_dir():
        numbers += [int(m.group(1)) for p in folder.iterdir() if (m := _EVIDENCE_NUMBER.match(p.name))]
    trash = book.path / TRASH
    if trash.is_dir():
        prefix = f"{case.id}-evidence-"
        numbers += [int(m.group(1)) for p in trash.iterdir() if p.name.startswith(prefix)
                    and (m := _EVIDENCE_NUMBER.match(p.name[len(prefix):]))]
    return max(numbers, default=0) + 1


def _refresh(case: Case, saved: Case) -> None:
    """Make the caller's ``case`` object the saved state (it may have been stale)."""
    for name in type(saved).model_fields:
        case.__dict__[name] = saved.__dict__[name]
    case.load_problems.clear()


def add_evidence(
    book: Casebook,
    case: Case,
    source: str | os.PathLike[str] | bytes,
    kind: EvidenceKind | str,
    caption: str = "",
    *,
    original_name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> EvidenceAdded:
    """Copy a file into the case's evidence folder, record it and save the case.

    The same content added twice is recognised by its hash and kept once.
    Refused, with nothing written: empty files, files above ``max_bytes``,
    types other than images, video, PDF or text, content that does not fit
    the kind, images that do not fully decode, path-like names, symlinks.

    The record is added to the case as stored, under its lock (a
    read-modify-write like ``Casebook.update``), so concurrent adds from
    other processes are kept; ``case`` is refreshed in place to the saved
    state. Other unsaved edits to ``case`` are not saved by this call.
    """
    try:
        kind = EvidenceKind(kind)
    except ValueError:
        raise EvidenceRefused("upload_error.kind", name=repr(kind), accepted=list(EvidenceKind),
                              choices=[_kind_choice(k) for k in EvidenceKind]) from None
    data, name = _read_source(source, original_name, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    for existing in case.evidence:
        if existing.sha256 == digest:
            return EvidenceAdded(existing, duplicate=True)
    mime = sniff_mime(data)
    if mime is None:
        raise EvidenceError(
            f"file: {name!r} is not an accepted type (judged from its content); accepted: photos (JPEG, PNG, GIF, WebP, HEIC), "
            "videos (MP4, MOV, WebM, AVI), PDF and plain text"
        )
    _check_kind(kind, mime, name)
    check_image(data, mime, name)
    warnings_: list[str] = []
    if mime.startswith("image/") and len(data) > WARN_IMAGE_BYTES:
        warnings_.append(f"{name}: {len(data) / 1e6:.1f} MB photo; platforms may refuse large files (limit unknown, 5 MB assumed)")
    if mime.startswith("video/") and len(data) > WARN_VIDEO_BYTES:
        warnings_.append(f"{name}: {len(data) / 1e6:.0f} MB video; compress it (AliExpress once asked for zipped videos)")
    meta = read_metadata(data, mime)
    with book.locked(case.id):
        fresh = book.get(case.id)
        for existing in fresh.evidence:
            if existing.sha256 == digest:
                _refresh(case, fresh)
                return EvidenceAdded(existing, duplicate=True)
        record, target = _store_file(book, fresh, data, kind, caption, name, digest, mime, meta)
        try:
            fresh.evidence = [*fresh.evidence, record]
            book.save_locked(fresh)
        except BaseException:
            target.unlink(missing_ok=True)  # our own, uniquely named file: nobody else can have it
            raise
    _refresh(case, fresh)
    return EvidenceAdded(record, duplicate=False, warnings=tuple(warnings_))


def _store_file(book: Casebook, case: Case, data: bytes, kind: EvidenceKind, caption: str, name: str, digest: str,
                mime: str, meta: dict[str, Any]) -> tuple[Evidence, Path]:
    """Write ``data`` under a fresh, never-used name (under the lock) and build its record."""
    number = _next_number(book, case)
    for _ in range(100):
        evidence_id = f"E{number:02d}"
        stored_name = f"{evidence_id}-{kind.value.replace('_', '-')}{ACCEPTED_TYPES[mime]}"
        try:
            record = Evidence(id=evidence_id, kind=kind, caption=caption, file=stored_name, original_name=name,
                              sha256=digest, size=len(data), mime=mime, added_at=utc_now(), **meta)
        except ValidationError as error:
            raise CaseInputError.from_validation(error, prefix="evidence") from None
        target = book.evidence_dir(case.id) / stored_name
        try:
            write_new_file(target, data)
        except FileExistsError:
            number += 1  # a stray file holds the name: never overwrite it
            continue
        return record, target
    raise EvidenceError(f"no free evidence name in {book.evidence_dir(case.id)}; run verify and tidy the folder")


def remove_evidence(book: Casebook, case_id: str, evidence_id: str) -> EvidenceRemoved:
    """Move one evidence file and its record to ``.trash/<case>-evidence-<id>-<time>/`` (never a hard delete).

    The trash folder holds the file under its stored name and ``record.json``
    (the evidence record), so it can be put back by hand.
    """
    with book.locked(case_id):
        case = book.get(case_id)
        record = next((e for e in case.evidence if e.id == evidence_id), None)
        if record is None:
            known = ", ".join(e.id for e in case.evidence) or "none"
            raise EvidenceError(f"evidence: no {evidence_id!r} in case {case_id!r}; its evidence ids: {known}")
        folder = book.path / TRASH / f"{case_id}-evidence-{record.id}-{utc_now():%Y%m%dT%H%M%S%fZ}"
        source = book.evidence_dir(case_id) / record.file
        try:
            folder.mkdir(parents=True)
            atomic_write_bytes(folder / "record.json", record.model_dump_json(indent=2).encode("utf-8"))
            moved = source.is_file() and not source.is_symlink()
            if moved:
                os.replace(source, folder / record.file)
        except OSError as error:
            raise EvidenceError(f"cannot move {source} to the trash ({error.strerror or error})") from None
        case.evidence = [e for e in case.evidence if e.id != evidence_id]
        try:
            book.save_locked(case)
        except BaseException:
            if moved:
                os.replace(folder / record.file, source)  # the record stays, so the file must too
            raise
    return EvidenceRemoved(record, folder, moved)


# -- metadata ---------------------------------------------------------------------

def read_metadata(data: bytes, mime: str) -> dict[str, Any]:
    """Capture time, device and size from EXIF (photos) or the MP4 header (videos); ``{}`` when unreadable.

    Informational only: damaged metadata never refuses a file.
    """
    try:
        if mime.startswith("image/"):
            meta = _image_metadata(data)
        elif mime in ("video/mp4", "video/quicktime"):
            created = _mp4_creation_time(data)
            meta = {"captured_at": created} if created else {}
        else:
            meta = {}
    except Exception:  # noqa: BLE001 - metadata is a bonus, never a reason to fail
        return {}
    if isinstance(meta.get("device"), str):
        meta["device"] = meta["device"][:200]
    return meta


def _image_metadata(data: bytes) -> dict[str, Any]:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                result: dict[str, Any] = {"width": image.width, "height": image.height}
                exif = image.getexif()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return {}
    taken = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
    if isinstance(taken, str):
        try:
            result["captured_at"] = datetime.strptime(taken.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
        except ValueError:
            pass
    device = " ".join(str(exif.get(tag, "")).strip("\x00 ") for tag in (0x010F, 0x0110)).strip()
    if device:
        result["device"] = device
    return result


def _boxes(data: bytes | bytearray, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """ISO-BMFF boxes between start and end: (type, box start, payload start, box end); stops at the first bad size."""
    out = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            break
        out.append((bytes(kind), pos, pos + header, pos + size))
        pos += size
    return out


def _mp4_creation_time(data: bytes) -> datetime | None:
    for kind, start, body, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for inner, s, _, _ in _boxes(data, body, end):
            if inner == b"mvhd":
                version = data[s + 8]
                if version == 1:
                    seconds = struct.unpack(">Q", data[s + 12 : s + 20])[0]
                else:
                    seconds = struct.unpack(">I", data[s + 12 : s + 16])[0]
                if seconds == 0:
                    return None
                return datetime(1904, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    return None


# -- verify -----------------------------------------------------------------------

@dataclass(frozen=True)
class VerifyIssue:
    """One thing wrong with a case's evidence folder."""

    problem: str  # missing | modified | unrecorded | renamed
    file: str
    detail: str
    message: Text | None = None  # the line in the shopper's language: what is wrong and what to do

    def __str__(self) -> str:
        return f"{self.problem.upper()} {self.file}: {self.detail}"

    def text(self, lang: str = "ko") -> str:
        """``없음 E01-defect-photo.jpg: …`` / ``MISSING E01-defect-photo.jpg: …``, with what to do about it."""
        return self.message(lang) if self.message is not None else str(self)


def verify(book: Casebook, case: Case) -> list[VerifyIssue]:
    """Every evidence file that is missing, modified, renamed or unrecorded. Changes nothing."""
    folder = book.evidence_dir(case.id)
    on_disk = {p.name: p for p in folder.iterdir()} if folder.is_dir() else {}
    issues: list[VerifyIssue] = []
    recorded = {e.file for e in case.evidence}
    extra_hashes: dict[str, str] = {}
    for name, path in sorted(on_disk.items()):
        if name not in recorded:
            if path.is_file() and not path.is_symlink():
                extra_hashes[hashlib.sha256(path.read_bytes()).hexdigest()] = name
            else:
                issues.append(VerifyIssue("unrecorded", name, "not a regular file; not part of the case record",
                                          Text("verify_issue.not_a_file", file=name)))
    for record in case.evidence:
        path = on_disk.get(record.file)
        if path is None:
            renamed = extra_hashes.pop(record.sha256, None)
            if renamed is not None:
                issues.append(VerifyIssue("renamed", record.file, f"{record.id} now sits under the name {renamed!r}",
                                          Text("verify_issue.renamed", file=record.file, id=record.id, renamed=renamed)))
            else:
                issues.append(VerifyIssue("missing", record.file, f"{record.id} ({record.kind.value}) is gone from evidence/",
                                          Text("verify_issue.missing", file=record.file, id=record.id, kind=record.kind)))
            continue
        if path.is_symlink() or not path.is_file():
            issues.append(VerifyIssue("modified", record.file, f"{record.id} was replaced by a link or folder",
                                      Text("verify_issue.replaced", file=record.file, id=record.id, kind=record.kind)))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != record.sha256:
            issues.append(VerifyIssue("modified", record.file, f"{record.id} content changed (sha256 {digest[:12]}…, "
                                      f"recorded {record.sha256[:12]}…)",
                                      Text("verify_issue.modified", file=record.file, id=record.id, kind=record.kind,
                                           now=digest[:12], recorded=record.sha256[:12])))
    for name in sorted(extra_hashes.values()):
        issues.append(VerifyIssue("unrecorded", name, "a file in evidence/ that the case does not list",
                                  Text("verify_issue.unrecorded", file=name)))
    return issues


# -- location: find and remove ------------------------------------------------------------

# ISO 6709 as cameras write it: +37.5665+126.9780/ or +3733.990+12658.668+012.3/ (latitude 2/4/6 digits, longitude 3/5/7).
_ISO6709 = re.compile(rb"[+-](?:\d{6}|\d{4}|\d{2})(?:\.\d{1,12})?[+-](?:\d{7}|\d{5}|\d{3})(?:\.\d{1,12})?"
                      rb"(?:[+-]\d{1,8}(?:\.\d{1,8})?)?(?:CRS[A-Za-z0-9_]{1,20})?/")
_XMP_GPS = re.compile(rb"GPS(?:Latitude|Longitude|Coordinates|Position|Altitude)", re.IGNORECASE)
_TIFF_HEADERS = re.compile(rb"II\*\x00|MM\x00\*")
_LOCATION_BOXES = {b"\xa9xyz": "MP4 \xa9xyz box", b"loci": "3GPP loci box"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _tiff_has_gps(data: bytes, start: int) -> bool:
    """Whether the TIFF structure at ``start`` has a GPS IFD with at least one entry (all reads bounds-checked)."""
    order = "<" if data[start:start + 2] == b"II" else ">"
    end = len(data)

    def ifd_entries(offset: int) -> tuple[list[tuple[int, int]], int]:
        at = start + offset
        if offset < 8 or at + 2 > end:
            return [], 0
        (count,) = struct.unpack(order + "H", data[at:at + 2])
        entries = []
        for n in range(min(count, 512)):
            entry = at + 2 + 12 * n
            if entry + 12 > end:
                break
            tag, _kind, _count, value = struct.unpack(order + "HHII", data[entry:entry + 12])
            entries.append((tag, value))
        after = at + 2 + 12 * count
        next_offset = struct.unpack(order + "I", data[after:after + 4])[0] if after + 4 <= end else 0
        return entries, next_offset

    try:
        (offset,) = struct.unpack(order + "I", data[start + 4:start + 8])
        for _ in range(4):  # IFD0, IFD1, ... (a loop of offsets stops here)
            entries, offset = ifd_entries(offset)
            for tag, value in entries:
                if tag == 0x8825:
                    gps, _ = ifd_entries(value)
                    if any(t in (1, 2, 3, 4) for t, _ in gps):
                        return True
            if not offset:
                break
    except struct.error:
        return False
    return False


def _png_texts(data: bytes) -> Iterator[bytes]:
    """Decompressed zTXt / iTXt payloads of a PNG (at most 1 MB each), so compressed XMP is scanned too."""
    pos = 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"zTXt" and b"\x00" in body:
            yield _inflate(body[body.index(b"\x00") + 2:])
        elif kind == b"iTXt" and b"\x00" in body:
            rest = body[body.index(b"\x00") + 1:]
            if rest[:1] == b"\x01":  # compressed
                parts = rest[2:].split(b"\x00", 2)
                if len(parts) == 3:
                    yield _inflate(parts[2])
        pos += 12 + length


def _inflate(data: bytes, limit: int = 1024 * 1024) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, limit)
    except zlib.error:
        return b""


def find_coordinates(data: bytes) -> list[str]:
    """Every location a file still carries: ISO 6709 strings, EXIF GPS IFDs, XMP GPS tags, MP4 location boxes.

    Used to check each shareable copy (and by tests on every copy in a pack).
    Linear in the file; compressed PNG text is inflated (1 MB at most each).
    """
    found: list[str] = []
    texts = [data]
    if data.startswith(_PNG_SIGNATURE):
        texts += list(_png_texts(data))
    for text in texts:
        for m in _ISO6709.finditer(text):
            found.append(f"ISO 6709 {m.group().decode('ascii', 'replace')}")
            if len(found) > 20:
                return found
        for m in _XMP_GPS.finditer(text):
            found.append(f"XMP {m.group().decode('ascii')}")
            break
    for n, m in enumerate(_TIFF_HEADERS.finditer(data)):
        if n >= 256:
            break
        if _tiff_has_gps(data, m.start()):
            found.append("EXIF GPS IFD")
            break
    for marker, label in _LOCATION_BOXES.items():
        at = data.find(marker, 4)
        while at != -1:
            size = struct.unpack(">I", data[at - 4:at])[0]
            if 8 <= size <= len(data) - (at - 4):
                found.append(label)
                break
            at = data.find(marker, at + 1)
    return list(dict.fromkeys(found))


class _Reencode(Exception):
    """A lossless clean-up was not possible; the reason says why."""


_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_XMP_IDS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")


def _clean_exif_body(body: bytes) -> tuple[bytes, bool]:
    """An Exif APP1 body without its GPS IFD (and whether there was one); ``_Reencode`` when it cannot be parsed."""
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(body[6:])
        had_gps = 0x8825 in exif
        exif.get_ifd(0x8769)  # loaded, so it is written back whole
        if had_gps:
            del exif[0x8825]
        new_body = exif.tobytes()
    except Exception as error:  # noqa: BLE001 - any parse failure means "re-encode"
        raise _Reencode(f"unreadable EXIF ({type(error).__name__})") from None
    if not new_body.startswith(b"Exif"):
        new_body = b"Exif\x00\x00" + new_body
    if len(new_body) + 2 > 0xFFFF:
        raise _Reencode("EXIF too large to rewrite")
    if not had_gps and (_tiff_has_gps(body, 6) if body[6:8] in (b"II", b"MM") else False):
        raise _Reencode("GPS in an unexpected place")
    return new_body, had_gps


def _scan_end(data: bytes, pos: int) -> int:
    """The end of the entropy-coded data that starts at ``pos``: the next marker that is not a stuffed byte or restart."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos == -1 or pos + 1 >= len(data):
            raise _Reencode("image data without an end marker")
        following = data[pos + 1]
        if following == 0x00 or following == 0xFF or 0xD0 <= following <= 0xD7:
            pos += 1
            continue
        return pos


def _strip_jpeg(data: bytes) -> tuple[bytes, list[str]]:
    """Drop GPS from EXIF and drop XMP, Extended XMP, Photoshop/IPTC, comments, multi-picture data and
    anything after the image, losslessly (the compressed pixels are copied as they are)."""
    if not data.startswith(b"\xff\xd8"):
        raise _Reencode("no JPEG start marker")
    out = bytearray(b"\xff\xd8")
    removed: list[str] = []
    pos = 2
    seen_scan = False
    while True:
        if pos < len(data) and data[pos] != 0xFF:  # padding after a segment (some cameras pad APP1): skip to the marker
            marker_at = data.find(b"\xff", pos)
            if marker_at == -1:
                raise _Reencode("no marker after the padding")
            removed.append(f"{marker_at - pos:,} padding bytes between segments")
            pos = marker_at
        if pos >= len(data):
            raise _Reencode("truncated before the image data")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes before a marker are allowed
            pos += 1
        if pos >= len(data):
            raise _Reencode("truncated before a marker")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            if not seen_scan:
                raise _Reencode("end of image before any image data")
            out += b"\xff\xd9"
            if pos < len(data):
                removed.append(f"{len(data) - pos:,} bytes after the image (e.g. extra pictures with their own metadata)")
            return bytes(out), removed
        if marker in _JPEG_STANDALONE:
            out += bytes((0xFF, marker))
            continue
        if pos + 2 > len(data):
            raise _Reencode("truncated segment header")
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if length < 2 or pos + length > len(data):
            raise _Reencode("a segment length runs past the end")
        body = data[pos + 2:pos + length]
        segment_end = pos + length
        if marker == 0xDA:  # start of scan: copy the header and the entropy-coded data up to the next marker
            seen_scan = True
            scan_end = _scan_end(data, segment_end)
            out += b"\xff\xda" + data[pos:scan_end]
            pos = scan_end
            continue
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            new_body, had_gps = _clean_exif_body(body)
            if had_gps:
                removed.append("EXIF GPS")
            out += b"\xff\xe1" + struct.pack(">H", len(new_body) + 2) + new_body
        elif marker == 0xE1 and body.startswith(_XMP_IDS):
            removed.append("Extended XMP" if body.startswith(_XMP_IDS[1]) else "XMP")
        elif marker == 0xE1:
            removed.append("unknown APP1 metadata")
        elif marker == 0xED:
            removed.append("Photoshop/IPTC metadata")
        elif marker == 0xFE:
            removed.append("comment")
        elif marker == 0xE2 and body.startswith(b"MPF\x00"):
            removed.append("multi-picture index")
        else:
            out += data[pos - 2:segment_end]
        pos = segment_end


def _decoded_size(data: bytes, name: str) -> tuple[int, int]:
    size = check_image(data, sniff_mime(data) or "", name)
    if size is None:
        raise EvidenceError(f"file: {name!r} is not a decodable image")
    return size


def _header_size(data: bytes, name: str) -> tuple[int, int]:
    """The picture size its header declares (the original was fully decoded when it was added)."""
    from PIL import Image

    with _decoding(name), Image.open(io.BytesIO(data)) as image:
        return image.size


def _reencode(data: bytes, fmt: str, max_pixels: int | None, name: str) -> tuple[bytes, list[str]]:
    """Decode and write the pixels again with nothing but EXIF minus GPS (JPEG) and the colour profile."""
    from PIL import Image

    removed: list[str] = []
    with _decoding(name), Image.open(io.BytesIO(data)) as image:
        image.load()
        exif_bytes = b""
        if fmt == "JPEG":
            try:
                exif = image.getexif()
                exif.get_ifd(0x8769)
                if 0x8825 in exif:
                    del exif[0x8825]
                    removed.append("EXIF GPS")
                exif_bytes = exif.tobytes() if len(exif) else b""
                if len(exif_bytes) > 0xFFFF - 2 or find_coordinates(exif_bytes):
                    exif_bytes = b""
                    removed.append("EXIF (could not be kept safely)")
            except Exception:  # noqa: BLE001 - unreadable EXIF is dropped, not copied
                exif_bytes = b""
                removed.append("EXIF (unreadable, dropped)")
        picture: Image.Image = image
        if max_pixels and max(picture.size) > max_pixels:
            picture = picture.copy()
            picture.thumbnail((max_pixels, max_pixels))
            removed.append(f"downscaled to {max_pixels}px")
        icc = image.info.get("icc_profile")
        buffer = io.BytesIO()
        if fmt == "JPEG":
            if picture.mode not in ("RGB", "L", "CMYK"):
                picture = picture.convert("RGB")
            picture.save(buffer, "JPEG", quality=90, exif=exif_bytes, comment=b"", icc_profile=icc)
        elif fmt == "GIF":
            picture.save(buffer, "GIF", save_all=getattr(image, "n_frames", 1) > 1 and picture is image, comment=b"")
        elif fmt == "PNG":
            picture.save(buffer, "PNG", icc_profile=icc)
        else:
            picture.save(buffer, fmt, **({"icc_profile": icc} if icc and fmt == "WEBP" else {}))
        removed.append("metadata (re-encoded)")
    return buffer.getvalue(), removed


def _strip_png(data: bytes) -> tuple[bytes, list[str]]:
    """Drop eXIf and every text chunk (tEXt/zTXt/iTXt: XMP, "Raw profile" EXIF, comments), keeping pixel chunks as they are."""
    if not data.startswith(_PNG_SIGNATURE):
        raise _Reencode("no PNG signature")
    out = bytearray(_PNG_SIGNATURE)
    removed: list[str] = []
    pos = 8
    while pos < len(data):
        if pos + 12 > len(data):
            raise _Reencode("truncated chunk")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise _Reencode("a chunk runs past the end")
        if zlib.crc32(data[pos + 4:pos + 8 + length]) != struct.unpack(">I", data[end - 4:end])[0]:
            raise _Reencode(f"bad checksum in {kind!r}")
        if kind in (b"eXIf", b"tEXt", b"zTXt", b"iTXt"):
            removed.append({b"eXIf": "EXIF"}.get(kind, f"{kind.decode('ascii')} metadata"))
        else:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            if pos < len(data):
                removed.append(f"{len(data) - pos:,} bytes after the image")
            return bytes(out), list(dict.fromkeys(removed))
    raise _Reencode("no IEND chunk")


def _strip_webp(data: bytes) -> tuple[bytes, list[str]]:
    """Drop the EXIF and XMP chunks (and their VP8X flags), keeping the image chunks as they are."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _Reencode("no RIFF/WEBP header")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = min(len(data), 8 + riff_size)
    chunks = bytearray()
    removed: list[str] = []
    pos = 12
    while pos + 8 <= end:
        kind = data[pos:pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4:pos + 8])
        chunk_end = pos + 8 + size + (size & 1)
        if pos + 8 + size > end:
            raise _Reencode("a chunk runs past the end")
        chunk = bytearray(data[pos:min(chunk_end, end)])
        if kind in (b"EXIF", b"XMP "):
            removed.append("EXIF" if kind == b"EXIF" else "XMP")
        else:
            if kind == b"VP8X" and len(chunk) > 8:
                chunk[8] &= ~0x0C & 0xFF  # clear the EXIF (0x08) and XMP (0x04) flags
            chunks += chunk
        pos = chunk_end
    if pos < end:
        raise _Reencode("trailing bytes inside RIFF")
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks), removed


_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"udta", b"edts", b"dinf", b"stbl", b"moof", b"traf", b"mvex"}
_MP4_LOCATION = {b"\xa9xyz", b"loci", b"XMP_", b"\xa9loc"}
_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_LOCATION_KEY = re.compile(rb"location|iso6709|gps", re.IGNORECASE)


def _strip_mp4(data: bytes) -> tuple[bytes, list[str]]:
    """Overwrite location boxes with zeros and rename them ``free`` (sizes unchanged, so offsets stay valid).

    ``©xyz``, ``loci``, QuickTime ``XMP_``, XMP ``uuid`` boxes, and the values of
    ``meta``/``keys``/``ilst`` entries whose key names a location
    (``com.apple.quicktime.location.ISO6709``, ``.location.name`` …).
    """
    out = bytearray(data)
    removed: list[str] = []

    def erase(start: int, payload: int, end: int, label: str) -> None:
        out[start + 4:start + 8] = b"free"
        out[payload:end] = bytes(end - payload)
        removed.append(label)

    def meta(body: int, end: int, depth: int) -> None:
        # QuickTime 'meta' has children right away; ISO 'meta' is a full box (4 bytes of version/flags first)
        if data[body + 4:body + 8] not in (b"hdlr", b"keys", b"ilst") and data[body + 8:body + 12] in (b"hdlr", b"ilst"):
            body += 4
        children = _boxes(data, body, end)
        keys: dict[int, bytes] = {}
        for kind, s, p, e in children:
            if kind == b"keys" and p + 8 <= e:
                count = struct.unpack(">I", data[p + 4:p + 8])[0]
                at = p + 8
                for index in range(1, min(count, 4096) + 1):
                    if at + 8 > e:
                        break
                    size = struct.unpack(">I", data[at:at + 4])[0]
                    if size < 8 or at + size > e:
                        break
                    keys[index] = data[at + 8:at + size]
                    at += size
        for kind, s, p, e in children:
            if kind == b"ilst":
                for item, s2, p2, e2 in _boxes(data, p, e):
                    index = struct.unpack(">I", item)[0]
                    name = keys.get(index)
                    if item in _MP4_LOCATION or (name is not None and _LOCATION_KEY.search(name)):
                        label = (name or item).decode("latin-1")
                        erase(s2, p2, e2, f"MP4 metadata {label}")
            elif kind in _MP4_LOCATION:
                erase(s, p, e, f"MP4 {kind.decode('latin-1')}")
            elif kind in _MP4_CONTAINERS:
                walk(p, e, depth + 1)

    def walk(start: int, end: int, depth: int) -> None:
        if depth > 16:
            return
        for kind, s, p, e in _boxes(data, start, end):
            if kind in _MP4_LOCATION:
                erase(s, p, e, f"MP4 {kind.decode('latin-1')}")
            elif kind == b"uuid" and data[p:p + 16] == _XMP_UUID:
                erase(s, p, e, "MP4 XMP")
            elif kind == b"meta":
                meta(p, e, depth)
            elif kind in _MP4_CONTAINERS:
                walk(p, e, depth + 1)

    walk(0, len(data), 0)
    return bytes(out), removed


@dataclass(frozen=True)
class CleanCopy:
    """A shareable copy, what was removed from it, and whether it is known to carry no location."""

    data: bytes
    removed: list[str]
    location_removed: bool


_NOT_REMOVED = "WARNING: location metadata NOT removed"
_LOSSLESS = {"image/jpeg": _strip_jpeg, "image/png": _strip_png, "image/webp": _strip_webp}
_PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP", "image/bmp": "BMP"}


def clean_copy(data: bytes, mime: str, *, max_pixels: int | None = None, name: str = "evidence") -> CleanCopy:
    """A copy of ``data`` without location metadata, checked with ``find_coordinates``.

    Images are cleaned losslessly when their structure allows (and the result
    must decode to the same size), else re-encoded; an image that cannot be
    decoded at all is an ``EvidenceError`` (never copied as is). Videos have
    their location boxes zeroed. Anything still carrying coordinates, and
    formats that cannot be rewritten (HEIC, WebM, AVI), come back with
    ``location_removed=False`` and a "NOT removed" warning in ``removed``.
    """
    removed: list[str] = []
    copy = data
    if mime in _PILLOW_FORMAT:
        fmt = _PILLOW_FORMAT[mime]
        strip = _LOSSLESS.get(mime)
        if max_pixels or strip is None:
            if strip is None and not max_pixels and not find_coordinates(data):
                copy = data  # GIF/BMP without any location: nothing to rewrite
            else:
                copy, removed = _reencode(data, fmt, max_pixels, name)
        else:
            try:
                copy, removed = strip(data)
                if _decoded_size(copy, name) != _header_size(data, name):
                    raise _Reencode("the cleaned copy did not decode to the same picture")
            except (_Reencode, EvidenceError) as why:
                copy, removed = _reencode(data, fmt, None, name)
                removed.append(f"re-encoded: {why}")
        if find_coordinates(copy) and copy is not data:
            copy, removed = _reencode(copy, fmt, None, name)  # last resort: pixels only
    elif mime in ("video/mp4", "video/quicktime"):
        copy, removed = _strip_mp4(data)
    elif mime in ("image/heic", "video/webm", "video/x-msvideo"):
        return CleanCopy(data, [f"{_NOT_REMOVED} ({mime} cannot be rewritten here); convert to JPEG/MP4 before sharing"], False)
    left = find_coordinates(copy)
    if left:
        return CleanCopy(copy, [*removed, f"{_NOT_REMOVED}: still found {', '.join(left[:3])}"], False)
    return CleanCopy(copy, removed, True)


def strip_location(data: bytes, mime: str, *, max_pixels: int | None = None) -> tuple[bytes, list[str]]:
    """A copy of ``data`` without location metadata, and what was removed (see ``clean_copy``)."""
    cleaned = clean_copy(data, mime, max_pixels=max_pixels)
    return cleaned.data, cleaned.removed


def thumbnail(data: bytes, mime: str, max_pixels: int = 240) -> bytes | None:
    """A small JPEG preview of an image (None for other types or what Pillow cannot read, bombs included)."""
    from PIL import Image

    if not mime.startswith("image/") or mime == "image/heic":
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (max_pixels, max_pixels))  # JPEG: decode at reduced size
                image = image.convert("RGB")
                image.thumbnail((max_pixels, max_pixels))
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=70)
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return None
    return buffer.getvalue()


@dataclass(frozen=True)
class PackItem:
    id: str
    kind: str
    caption: str
    file: str
    sha256_original: str
    sha256_copy: str
    size: int
    removed: list[str] = field(default_factory=list)
    location_removed: bool = True  # False: the copy may still carry a location (say so wherever it is listed)


def pack_name(record: Evidence, number: int) -> str:
    """``01-defect-photo.jpg``: numbered as in the dispute message's evidence list."""
    suffix = Path(record.file).suffix
    return f"{number:02d}-{record.kind.value.replace('_', '-')}{suffix}"


def pack_copies(book: Casebook, case: Case, *, max_pixels: int | None = None) -> list[tuple[PackItem, bytes]]:
    """Shareable copies (location removed, optionally downscaled), numbered as in the dispute message.

    Refuses evidence that fails ``verify``: a pack must never carry a file
    that differs from what was recorded. A copy whose location could not be
    removed is included with ``location_removed=False``.
    """
    problems = [i for i in verify(book, case) if i.problem != "unrecorded"]
    if problems:
        raise EvidenceRefused("pack_error.not_verified", case_id=case.id, n=len(problems),
                              files=[Text("pack_error.file", file=i.file, problem=Text(f"pack_error.{i.problem}"))
                                     for i in problems])
    out = []
    for number, record in enumerate(case.evidence, start=1):
        original = (book.evidence_dir(case.id) / record.file).read_bytes()
        cleaned = clean_copy(original, record.mime, max_pixels=max_pixels, name=record.file)
        item = PackItem(record.id, record.kind.value, record.caption, pack_name(record, number), record.sha256,
                        hashlib.sha256(cleaned.data).hexdigest(), len(cleaned.data), cleaned.removed,
                        cleaned.location_removed)
        out.append((item, cleaned.data))
    return out


def export_pack(
    book: Casebook,
    case: Case,
    dest: str | os.PathLike[str],
    *,
    max_pixels: int | None = None,
) -> list[PackItem]:
    """Write the shareable copies plus ``manifest.json`` into ``dest``; originals are never touched.

    The manifest lists, per file, what was removed and ``location_removed``
    (false: "location NOT removed"), plus ``location_not_removed``: the files
    to check before sharing.
    """
    target = Path(dest)
    copies = pack_copies(book, case, max_pixels=max_pixels)
    target.mkdir(parents=True, exist_ok=True)
    for item, data in copies:
        atomic_write_bytes(target / item.file, data)
    items = [item for item, _ in copies]
    manifest = {
        "case": case.id,
        "order_id": case.order.order_id,
        "generated_at": utc_now().isoformat(),
        "files": [item.__dict__ for item in items],
        "location_not_removed": [item.file for item in items if not item.location_removed],
    }
    atomic_write_bytes(target / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
    return items
