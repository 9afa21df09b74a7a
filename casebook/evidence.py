"""Evidence files: import, fingerprint, verify, and export for sharing.

Refunds are won by evidence (docs/domain.md, "Evidence that wins"), and evidence is only worth
something if it is intact: every file is copied into the case's
``evidence/`` folder under a generated name, fingerprinted (SHA-256), typed
from its content (not its extension) and, for photos and videos, dated from
its own metadata. ``verify`` proves nothing was changed; ``export_pack``
makes copies safe to share (location metadata removed, originals untouched).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .errors import EvidenceError
from .models import Case, Evidence, EvidenceKind, utc_now
from .store import Casebook, atomic_write_bytes

__all__ = [
    "ACCEPTED_TYPES",
    "DEFAULT_MAX_BYTES",
    "EvidenceAdded",
    "VerifyIssue",
    "PackItem",
    "sniff_mime",
    "add_evidence",
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
    if head[:2] == b"BM" and len(data) > 26:
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


@dataclass(frozen=True)
class EvidenceAdded:
    """What ``add_evidence`` did: the record, and whether it was already there."""

    evidence: Evidence
    duplicate: bool
    warnings: tuple[str, ...] = ()


def _check_name(name: str) -> str:
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name or ".." in Path(name).parts:
        raise EvidenceError(
            f"original_name: {name!r} is not a plain file name (no folders, no '..'); give just the name, e.g. 'photo.jpg'"
        )
    return name


def _read_source(source: str | os.PathLike[str] | bytes, original_name: str | None, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = _check_name(original_name or "upload")
    else:
        path = Path(source)
        if path.is_symlink():
            raise EvidenceError(f"file: {path} is a symbolic link; add the file it points to instead")
        path = path.resolve()
        if not path.exists():
            raise EvidenceError(f"file: {path} does not exist")
        if not path.is_file():
            raise EvidenceError(f"file: {path} is not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise EvidenceError(f"file: {path} is {size:,} bytes, above the limit of {max_bytes:,}; compress it or raise max_bytes")
        data = path.read_bytes()
        name = _check_name(original_name or path.name)
    if not data:
        raise EvidenceError(f"file: {name!r} is empty (0 bytes); nothing to keep as evidence")
    if len(data) > max_bytes:
        raise EvidenceError(f"file: {name!r} is {len(data):,} bytes, above the limit of {max_bytes:,}; compress it or raise max_bytes")
    return data, name


def _next_id(case: Case) -> str:
    numbers = [int(e.id[1:]) for e in case.evidence]
    return f"E{(max(numbers) + 1 if numbers else 1):02d}"


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
    types other than images, video, PDF or text, path-like names, symlinks.
    """
    try:
        kind = EvidenceKind(kind)
    except ValueError:
        accepted = ", ".join(k.value for k in EvidenceKind)
        raise EvidenceError(f"kind: {kind!r} is not an evidence kind; accepted: {accepted}") from None
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
    warnings = []
    if mime.startswith("image/") and len(data) > WARN_IMAGE_BYTES:
        warnings.append(f"{name}: {len(data) / 1e6:.1f} MB photo; platforms may refuse large files (limit unknown, 5 MB assumed)")
    if mime.startswith("video/") and len(data) > WARN_VIDEO_BYTES:
        warnings.append(f"{name}: {len(data) / 1e6:.0f} MB video; compress it (AliExpress once asked for zipped videos)")
    expects = "image/" if kind.value.endswith(("_photo", "_screenshot")) else "video/" if kind.value.endswith("_video") else None
    if expects and not mime.startswith(expects):
        warnings.append(f"{name}: kept as {kind.value}, but its content is {mime}, not {expects.rstrip('/')}; "
                        "check that this is the right file")
    meta = read_metadata(data, mime)
    evidence_id = _next_id(case)
    stored_name = f"{evidence_id}-{kind.value.replace('_', '-')}{ACCEPTED_TYPES[mime]}"
    record = Evidence(
        id=evidence_id,
        kind=kind,
        caption=caption,
        file=stored_name,
        original_name=name,
        sha256=digest,
        size=len(data),
        mime=mime,
        added_at=utc_now(),
        **meta,
    )
    target = book.evidence_dir(case.id) / stored_name
    atomic_write_bytes(target, data)
    try:
        case.evidence = [*case.evidence, record]
        book.save(case)
    except BaseException:
        case.evidence = [e for e in case.evidence if e.id != evidence_id]
        target.unlink(missing_ok=True)
        raise
    return EvidenceAdded(record, duplicate=False, warnings=tuple(warnings))


# -- metadata ---------------------------------------------------------------------

def read_metadata(data: bytes, mime: str) -> dict[str, Any]:
    """Capture time, device and size from EXIF (photos) or the MP4 header (videos)."""
    if mime.startswith("image/"):
        return _image_metadata(data)
    if mime in ("video/mp4", "video/quicktime"):
        created = _mp4_creation_time(data)
        return {"captured_at": created} if created else {}
    return {}


def _image_metadata(data: bytes) -> dict[str, Any]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            result: dict[str, Any] = {"width": image.width, "height": image.height}
            exif = image.getexif()
    except (UnidentifiedImageError, OSError, ValueError):
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


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """ISO-BMFF boxes between start and end: (type, box start, box end)."""
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
        out.append((kind, pos, pos + size))
        pos += size
    return out


def _mp4_creation_time(data: bytes) -> datetime | None:
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for inner, s, _ in _boxes(data, start + 8, end):
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

    def __str__(self) -> str:
        return f"{self.problem.upper()} {self.file}: {self.detail}"


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
                issues.append(VerifyIssue("unrecorded", name, "not a regular file; not part of the case record"))
    for record in case.evidence:
        path = on_disk.get(record.file)
        if path is None:
            renamed = extra_hashes.pop(record.sha256, None)
            if renamed is not None:
                issues.append(VerifyIssue("renamed", record.file, f"{record.id} now sits under the name {renamed!r}"))
            else:
                issues.append(VerifyIssue("missing", record.file, f"{record.id} ({record.kind.value}) is gone from evidence/"))
            continue
        if path.is_symlink() or not path.is_file():
            issues.append(VerifyIssue("modified", record.file, f"{record.id} was replaced by a link or folder"))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != record.sha256:
            issues.append(VerifyIssue("modified", record.file, f"{record.id} content changed (sha256 {digest[:12]}…, recorded {record.sha256[:12]}…)"))
    for name in sorted(extra_hashes.values()):
        issues.append(VerifyIssue("unrecorded", name, "a file in evidence/ that the case does not list"))
    return issues


# -- export -----------------------------------------------------------------------

_JPEG_NO_LENGTH = {0xD8, 0xD9, *range(0xD0, 0xD8), 0x01}


def _strip_jpeg(data: bytes) -> tuple[bytes, list[str]]:
    """Drop GPS from the EXIF segment and drop XMP, losslessly (image data untouched)."""
    from PIL import Image

    if not data.startswith(b"\xff\xd8"):
        return data, []
    out = bytearray(b"\xff\xd8")
    removed: list[str] = []
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker in _JPEG_NO_LENGTH:
            out += data[pos : pos + 2]
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        segment = data[pos : pos + 2 + length]
        body = segment[4:]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[pos:]
            return bytes(out), removed
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            exif = Image.Exif()
            exif.load(body[6:])
            if 0x8825 in exif:
                del exif[0x8825]
                removed.append("EXIF GPS")
                new_body = exif.tobytes()
                if not new_body.startswith(b"Exif"):
                    new_body = b"Exif\x00\x00" + new_body
                segment = b"\xff\xe1" + struct.pack(">H", len(new_body) + 2) + new_body
        elif marker == 0xE1 and body.startswith(b"http://ns.adobe.com/xap/1.0/"):
            removed.append("XMP")
            pos += 2 + length
            continue
        out += segment
        pos += 2 + length
    return bytes(out), removed


def _strip_reencode(data: bytes, fmt: str, max_pixels: int | None) -> tuple[bytes, list[str]]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        removed = ["EXIF GPS"] if 0x8825 in exif else []
        if 0x8825 in exif:
            del exif[0x8825]
        image.load()
        if max_pixels and max(image.size) > max_pixels:
            image.thumbnail((max_pixels, max_pixels))
            removed.append(f"downscaled to {max_pixels}px")
        buffer = io.BytesIO()
        if fmt == "JPEG":
            image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
        else:
            image.save(buffer, fmt)  # PNG/GIF/WebP/BMP: written without the source's metadata chunks
            if image.info.get("exif") or image.info.get("XML:com.adobe.xmp"):
                removed.append("embedded metadata")
        return buffer.getvalue(), removed


def _strip_mp4(data: bytes) -> tuple[bytes, list[str]]:
    """Neutralise location atoms (©xyz, loci) inside moov by renaming them 'free'."""
    out = bytearray(data)
    removed: list[str] = []

    def walk(start: int, end: int) -> None:
        for kind, s, e in _boxes(data, start, end):
            if kind in (b"\xa9xyz", b"loci"):
                out[s + 4 : s + 8] = b"free"
                removed.append(f"MP4 {kind.decode('latin-1')}")
            elif kind in (b"moov", b"udta", b"trak", b"mdia", b"minf"):
                walk(s + 8, e)
            elif kind == b"meta":
                walk(s + 12, e)

    walk(0, len(data))
    return bytes(out), removed


def strip_location(data: bytes, mime: str, *, max_pixels: int | None = None) -> tuple[bytes, list[str]]:
    """A copy of ``data`` without location metadata, and what was removed."""
    if mime == "image/jpeg":
        if max_pixels:
            return _strip_reencode(data, "JPEG", max_pixels)
        return _strip_jpeg(data)
    if mime in ("image/png", "image/gif", "image/webp", "image/bmp"):
        fmt = {"image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP", "image/bmp": "BMP"}[mime]
        return _strip_reencode(data, fmt, max_pixels)
    if mime in ("video/mp4", "video/quicktime"):
        return _strip_mp4(data)
    if mime in ("image/heic", "video/webm", "video/x-msvideo"):
        # no safe way to rewrite these here: say so rather than imply the copy is clean
        return data, [f"WARNING: location metadata NOT removed ({mime} is not supported); convert to JPEG/MP4 before sharing"]
    return data, []


def thumbnail(data: bytes, mime: str, max_pixels: int = 240) -> bytes | None:
    """A small JPEG preview of an image (None for other types or what Pillow cannot read)."""
    from PIL import Image

    if not mime.startswith("image/") or mime == "image/heic":
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (max_pixels, max_pixels))  # JPEG: decode at reduced size
            image = image.convert("RGB")
            image.thumbnail((max_pixels, max_pixels))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=70)
    except (OSError, ValueError):
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


def pack_name(record: Evidence, number: int) -> str:
    """``01-defect-photo.jpg``: numbered as in the dispute message's evidence list."""
    suffix = Path(record.file).suffix
    return f"{number:02d}-{record.kind.value.replace('_', '-')}{suffix}"


def pack_copies(book: Casebook, case: Case, *, max_pixels: int | None = None) -> list[tuple[PackItem, bytes]]:
    """Shareable copies (location removed, optionally downscaled), numbered as in the dispute message.

    Refuses evidence that fails ``verify``: a pack must never carry a file
    that differs from what was recorded.
    """
    problems = [i for i in verify(book, case) if i.problem != "unrecorded"]
    if problems:
        raise EvidenceError("evidence does not verify; fix it first: " + "; ".join(str(p) for p in problems))
    out = []
    for number, record in enumerate(case.evidence, start=1):
        original = (book.evidence_dir(case.id) / record.file).read_bytes()
        copy, removed = strip_location(original, record.mime, max_pixels=max_pixels)
        item = PackItem(record.id, record.kind.value, record.caption, pack_name(record, number), record.sha256,
                        hashlib.sha256(copy).hexdigest(), len(copy), removed)
        out.append((item, copy))
    return out


def export_pack(
    book: Casebook,
    case: Case,
    dest: str | os.PathLike[str],
    *,
    max_pixels: int | None = None,
) -> list[PackItem]:
    """Write the shareable copies plus ``manifest.json`` into ``dest``; originals are never touched."""
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
    }
    atomic_write_bytes(target / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
    return items
