"""The casebook: a folder of cases, one subfolder per case.

Layout::

    mybook/
      casebook.toml          marks the folder; user settings and rule overrides
      <case-id>/case.json    the case (atomic writes, revisioned)
      <case-id>/evidence/    evidence files (see casebook.evidence)
      .trash/                deleted cases, never hard-deleted

Why a folder of JSON files: a shopper can back it up, read it and hand it to
a counsellor without a database; a crash mid-save must never cost them a case.

Reading stored cases (design): new input is validated strictly
(``models.validate``/``parse_case``), but ``get`` reads a stored file with
``models.parse_stored_case``: a date outside 2000..2100 is clamped and
over-long text is cut, and each such repair is listed in
``case.load_problems``, so ``advise``/``summary`` keep working on a case
written before the bounds existed and the CLI can show the problems as a
row. The first save of such a case keeps the original file in ``.trash/``
(nothing is lost). A file that cannot be repaired (not JSON, too deep,
unknown fields, an amount such as ``1e99999999``) raises
``CorruptCaseError`` with one line naming the file and the field; ``broken()``
and ``to_frame()`` list those as rows instead of failing.

Errors callers can print on one line: ``StorageError`` (read-only or full
disk, naming the path), ``CaseBusyError`` (the case's lock is held by another
process), ``CasebookError`` (not a casebook, or ``init`` on a file).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout
from pydantic import ValidationError

from .errors import (
    CaseBusyError,
    CaseInputError,
    CaseNotFoundError,
    CasebookError,
    ConflictError,
    CorruptCaseError,
    SchemaVersionError,
    StorageError,
)
from .models import (SCHEMA_VERSION, Case, DisputeStage, Order, Platform, Problem, ProblemKind, check_case_id,
                     parse_stored_case, utc_now)
from .settings import CONFIG_FILE, Settings, starter_config

if TYPE_CHECKING:
    import pandas as pd

MARKER_FILE = CONFIG_FILE
__all__ = ["Casebook", "BrokenCase", "MIGRATIONS", "atomic_write_bytes", "write_new_file", "CASE_FILE",
           "MARKER_FILE", "MAX_CASE_BYTES", "TRASH"]

CASE_FILE = "case.json"
LOCK_SUFFIX = ".lock"
TRASH = ".trash"
MAX_CASE_BYTES = 64 * 1024 * 1024  # a case.json above this is refused as corrupt (real ones are kilobytes)

# schema_version N -> function turning a version-N dict into a version-(N+1) dict.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

FRAME_COLUMNS = [
    "id",
    "platform",
    "order_id",
    "item",
    "problem",
    "stage",
    "amount",
    "currency",
    "order_date",
    "days_since_order",
    "updated",
    "error",
]


@dataclass(frozen=True)
class BrokenCase:
    """A case folder whose ``case.json`` could not be loaded, and why."""

    case_id: str
    path: Path
    error: str


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new bytes, never half.

    Temp file in the same folder, fsync, rename over, fsync the folder. A disk
    that refuses (read-only, no permission, full) raises ``StorageError``
    naming ``path``.
    """
    try:
        _write_via_temp(path, data, replace=True)
    except StorageError:
        raise
    except OSError as error:
        raise StorageError(path, error) from None


def write_new_file(path: Path, data: bytes) -> None:
    """Like ``atomic_write_bytes`` but never replaces: ``FileExistsError`` if ``path`` is taken.

    Why: two writers that picked the same name must not overwrite each
    other's file (evidence added concurrently).
    """
    try:
        _write_via_temp(path, data, replace=False)
    except (StorageError, FileExistsError):
        raise
    except OSError as error:
        raise StorageError(path, error) from None


def _place_new(tmp_name: str, path: Path) -> None:
    """Give the finished temp file the name ``path`` only if nobody has it (``FileExistsError`` otherwise)."""
    try:
        os.link(tmp_name, path)  # atomic, and fails if the name exists
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: reserve the name exclusively, then fill it atomically
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        os.replace(tmp_name, path)
        return
    os.unlink(tmp_name)


def _write_via_temp(path: Path, data: bytes, *, replace: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp_name, path)
        else:
            _place_new(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _migrate(data: dict[str, Any], path: Path) -> dict[str, Any]:
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise SchemaVersionError(str(path), f"schema_version is missing or not a whole number ({version!r})")
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            str(path),
            f"written by a newer casebook (schema {version}; this version reads up to {SCHEMA_VERSION}); upgrade casebook",
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise SchemaVersionError(
                str(path), f"schema {version} is older than any this version can migrate (current {SCHEMA_VERSION})"
            )
        data = step(dict(data))
        new_version = data.get("schema_version")
        if new_version != version + 1:
            raise SchemaVersionError(str(path), f"migration from schema {version} did not produce schema {version + 1}")
        version = new_version
    return data


class Casebook:
    """A folder of cases with atomic, locked, revisioned saves."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False, settings: Settings | None = None,
                 lock_timeout: float = 30.0) -> None:
        self.path = Path(path).expanduser().resolve()
        self.lock_timeout = lock_timeout
        marker = self.path / MARKER_FILE
        if create:
            self.prepare(self.path)
        elif not marker.exists():
            if not self.path.exists():
                raise CasebookError(f"{self.path}: no such folder; create a casebook with `casebook init {path}`")
            raise CasebookError(f"{self.path}: not a casebook (no {MARKER_FILE}); create one with `casebook init {path}`")
        # Resolved once (defaults, casebook.toml, environment) unless the face resolved it with its own options.
        self.settings: Settings = settings if settings is not None else Settings.resolve(self.path)

    @staticmethod
    def prepare(path: str | os.PathLike[str]) -> Path:
        """Make ``path`` a casebook folder (with a starter ``casebook.toml``) if it is not one yet."""
        folder = Path(path).expanduser()
        marker = folder / MARKER_FILE
        if folder.exists() and not folder.is_dir():
            raise CasebookError(f"{folder}: exists and is a file, not a folder; choose another place for the casebook")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise CasebookError(f"{folder}: a part of this path is a file, not a folder; choose another place") from None
        except OSError as error:
            raise StorageError(folder, error, action="create") from None
        if marker.is_dir():
            raise CasebookError(f"{marker}: is a folder; a casebook needs {MARKER_FILE} to be a file")
        if not marker.exists():
            atomic_write_bytes(marker, starter_config().encode("utf-8"))
        return folder

    @classmethod
    def init(cls, path: str | os.PathLike[str], *, settings: Settings | None = None,
             lock_timeout: float = 30.0) -> "Casebook":
        """Create (or reopen) a casebook folder; ``CasebookError`` if ``path`` is a file."""
        return cls(path, create=True, settings=settings, lock_timeout=lock_timeout)

    def __repr__(self) -> str:
        return f"Casebook({str(self.path)!r})"

    # -- paths ---------------------------------------------------------------
    def case_dir(self, case_id: str) -> Path:
        return self.path / check_case_id(case_id)

    def case_file(self, case_id: str) -> Path:
        return self.case_dir(case_id) / CASE_FILE

    def evidence_dir(self, case_id: str) -> Path:
        return self.case_dir(case_id) / "evidence"

    def _lock(self, case_id: str) -> FileLock:
        return FileLock(str(self.path / f".{check_case_id(case_id)}{LOCK_SUFFIX}"), timeout=self.lock_timeout)

    @contextmanager
    def locked(self, case_id: str) -> Iterator[None]:
        """Hold the case's lock (not re-entrant); ``CaseBusyError`` when another process keeps it too long."""
        lock = self._lock(case_id)
        try:
            lock.acquire()
        except Timeout:
            raise CaseBusyError(
                f"case {case_id!r} is busy: another casebook command or notebook is saving it "
                f"(waited {self.lock_timeout:g} s for {lock.lock_file}); try again in a moment"
            ) from None
        except OSError as error:
            raise StorageError(lock.lock_file, error, action="lock") from None
        try:
            yield
        finally:
            lock.release()

    # -- reading -------------------------------------------------------------
    def ids(self) -> list[str]:
        """Every case id, sorted; folders without a case.json are not cases."""
        found = []
        try:
            with os.scandir(self.path) as entries:
                for entry in entries:
                    if entry.is_dir() and not entry.name.startswith(".") and os.path.exists(os.path.join(entry.path, CASE_FILE)):
                        found.append(entry.name)
        except OSError as error:
            raise StorageError(self.path, error, action="list") from None
        return sorted(found, key=natural_key)

    def __contains__(self, case_id: object) -> bool:
        return isinstance(case_id, str) and self._exists(case_id)

    def _exists(self, case_id: str) -> bool:
        try:
            return self.case_file(case_id).exists()
        except CaseInputError:
            return False

    def __len__(self) -> int:
        return len(self.ids())

    def get(self, case_id: str) -> Case:
        """Load one case; the error names the file and the field when it is broken."""
        path = self.case_file(case_id)
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_CASE_BYTES + 1)
        except FileNotFoundError:
            raise CaseNotFoundError(f"no case {case_id!r} in {self.path}; `casebook list` shows the ids") from None
        except OSError as error:
            raise StorageError(path, error, action="read") from None
        if len(raw) > MAX_CASE_BYTES:
            raise CorruptCaseError(str(path), f"larger than {MAX_CASE_BYTES // 2**20} MB; a case file is never that big")
        return self._load(raw, path)

    def _load(self, raw: bytes, path: Path) -> Case:
        """Parse and validate leniently (see the module docstring); unrepairable files are ``CorruptCaseError``."""
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CorruptCaseError(str(path), f"not valid JSON ({error})", key="corrupt.json", reason=str(error)) from None
        except RecursionError:
            raise CorruptCaseError(str(path), "nested too deeply to be a case", key="corrupt.nested") from None
        if not isinstance(data, dict):
            raise CorruptCaseError(str(path), "expected a JSON object at the top level", key="corrupt.not_object")
        data = _migrate(data, path)
        try:
            case = parse_stored_case(data)
        except CaseInputError as error:
            raise CorruptCaseError(str(path), str(error), problems=error) from None
        if case.id != path.parent.name:
            raise CorruptCaseError(str(path), f"id: {case.id!r} does not match its folder {path.parent.name!r}",
                                   key="corrupt.id", id=case.id, folder=path.parent.name)
        return case

    def __iter__(self) -> Iterator[Case]:
        """Every case that loads; broken ones are listed by ``broken()``."""
        for case_id in self.ids():
            try:
                yield self.get(case_id)
            except CorruptCaseError:
                continue

    def broken(self) -> list[BrokenCase]:
        """Cases whose file cannot be loaded, each with the reason."""
        result = []
        for case_id in self.ids():
            try:
                self.get(case_id)
            except CorruptCaseError as error:
                result.append(BrokenCase(case_id, self.case_file(case_id), error.detail))
        return result

    def problems(self) -> dict[str, list[str]]:
        """Cases that load only after repairs (clamped dates, cut text), with what was repaired."""
        found: dict[str, list[str]] = {}
        for case_id in self.ids():
            try:
                case = self.get(case_id)
            except CorruptCaseError:
                continue
            if case.load_problems:
                found[case_id] = list(case.load_problems)
        return found

    # -- writing -------------------------------------------------------------
    def new_id(self, order: Order) -> str:
        """A readable, unique id: ``20240301-aliexpress-8123456789``."""
        base = f"{order.order_date:%Y%m%d}-{order.platform.value}-{order.order_id}".lower()
        base = base[:72]
        candidate, n = base, 2
        while self._exists(candidate) or (self.path / candidate).exists():
            candidate = f"{base}-{n}"
            n += 1
        return candidate

    def new_case(self, order: Order, problem: Problem, *, case_id: str | None = None, **fields: Any) -> Case:
        """Create and save a new case; refuses an id that already exists."""
        chosen = check_case_id(case_id) if case_id is not None else self.new_id(order)
        try:
            case = Case(id=chosen, order=order, problem=problem, **fields)
        except ValidationError as error:
            raise CaseInputError.from_validation(error) from None
        return self.add(case)

    def add(self, case: Case) -> Case:
        """Save a case under its own id as a new case (revision 1)."""
        with self.locked(case.id):
            if self._exists(case.id):
                raise ConflictError(f"a case {case.id!r} already exists in {self.path}; choose another id")
            case.revision = 0
            return self._write(case)

    def save(self, case: Case) -> Case:
        """Save changes; raises ``ConflictError`` if the case changed on disk since it was loaded.

        On success ``case.revision`` and ``case.updated_at`` are updated in place
        so the same object can be saved again.
        """
        with self.locked(case.id):
            path = self.case_file(case.id)
            if not path.exists():
                raise CaseNotFoundError(f"no case {case.id!r} in {self.path}; create it with new_case() or add()")
            on_disk = self._peek_revision(path)
            if on_disk != case.revision:
                raise ConflictError(
                    f"case {case.id!r} was saved by someone else (disk revision {on_disk}, yours {case.revision}); "
                    "reload it with get() and apply your change again"
                )
            return self._write(case)

    def update(self, case_id: str, change: Callable[[Case], None]) -> Case:
        """Load, change and save under the lock: the safe read-modify-write.

        A bad value assigned by ``change`` is a ``CaseInputError`` naming the field; nothing is saved.
        """
        with self.locked(case_id):
            case = self.get(case_id)
            try:
                change(case)
            except ValidationError as error:
                raise CaseInputError.from_validation(error) from None
            return self._write(case)

    def save_locked(self, case: Case) -> Case:
        """Save ``case`` as the new revision while the caller holds ``locked(case.id)`` (no staleness check)."""
        return self._write(case)

    def _peek_revision(self, path: Path) -> int | None:
        try:
            data = json.loads(path.read_bytes())
            revision = data.get("revision")
            return revision if isinstance(revision, int) else None
        except (OSError, ValueError, AttributeError, RecursionError):
            return None

    def _write(self, case: Case) -> Case:
        new = case.model_copy(update={"revision": case.revision + 1, "updated_at": utc_now()})
        # Validate the copy (model_copy skips validation) before touching the disk.
        try:
            Case.model_validate(new.model_dump())
        except ValidationError as error:
            raise CaseInputError.from_validation(error) from None
        except RecursionError:
            raise CaseInputError([("", "nested too deeply to be saved")]) from None
        data = new.model_dump_json(indent=2).encode("utf-8")
        target = self.case_file(case.id)
        if case.load_problems and target.exists():
            self._keep_original(case.id, target)
        try:
            self.evidence_dir(case.id).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(self.evidence_dir(case.id), error, action="create") from None
        atomic_write_bytes(target, data)
        case.__dict__["revision"] = new.revision
        case.__dict__["updated_at"] = new.updated_at
        case.load_problems.clear()
        return case

    def _keep_original(self, case_id: str, path: Path) -> Path:
        """Copy a repaired case's file into ``.trash/`` before it is overwritten: its original values stay readable."""
        target = self.path / TRASH / f"{case_id}-original-{utc_now():%Y%m%dT%H%M%S%fZ}.json"
        try:
            target.parent.mkdir(exist_ok=True)
            shutil.copy2(path, target)
        except OSError as error:
            raise StorageError(target, error) from None
        return target

    def delete(self, case_id: str) -> Path:
        """Move a case to ``.trash/`` (never a hard delete) and return where it went."""
        with self.locked(case_id):
            source = self.case_dir(case_id)
            if not (source / CASE_FILE).exists():
                raise CaseNotFoundError(f"no case {case_id!r} in {self.path}")
            trash = self.path / TRASH
            target = trash / f"{case_id}-{utc_now():%Y%m%dT%H%M%S%fZ}"
            try:
                trash.mkdir(exist_ok=True)
                shutil.move(str(source), str(target))
            except OSError as error:
                raise StorageError(source, error, action="move to the trash") from None
            return target

    # -- overview --------------------------------------------------------------
    def to_frame(self, *, today: date | None = None) -> pd.DataFrame:
        """One row per case for overviews; a broken case is a row with its ``error``.

        Reads the JSON directly (no full model validation) so 10,000 cases load
        in well under a second; ``get()`` is the validating path.
        """
        import pandas as pd

        today = today or date.today()
        rows: list[tuple[Any, ...]] = []
        for case_id in self.ids():
            path = self.path / case_id / CASE_FILE
            try:
                with open(path, "rb") as handle:
                    data = json.loads(handle.read())
                rows.append(_summary_row(case_id, data, today))
            except Exception:  # noqa: BLE001 - the quick read failed: the validating read says which field and why
                try:
                    rows.append(_case_row(self.get(case_id), today))
                except Exception as error:  # noqa: BLE001 - any broken file becomes a row, never a crash
                    detail = str(error) if isinstance(error, CorruptCaseError) else f"{path}: {type(error).__name__}: {error}"
                    rows.append((case_id, None, None, None, None, None, None, None, None, None, None, detail))
        frame = pd.DataFrame.from_records(rows, columns=FRAME_COLUMNS)
        if not frame.empty:
            frame["order_date"] = pd.to_datetime(frame["order_date"], errors="coerce").dt.date
            frame["updated"] = pd.to_datetime(frame["updated"], errors="coerce", utc=True)
            frame["days_since_order"] = frame["days_since_order"].astype("Int64")
        return frame


def _summary_row(case_id: str, data: dict[str, Any], today: date) -> tuple[Any, ...]:
    version = data["schema_version"]
    if version != SCHEMA_VERSION:
        raise CorruptCaseError(case_id, f"schema {version} (current {SCHEMA_VERSION}); open it with get() to migrate")
    if data["id"] != case_id:
        raise CorruptCaseError(case_id, f"id: {data['id']!r} does not match its folder")
    order = data["order"]
    # a cheap look for unknown fields (full validation is get()'s job): such a case would not open
    for where, part, model in (("", data, Case), ("order.", order, Order), ("problem.", data["problem"], Problem)):
        unknown = sorted(set(part) - set(model.model_fields))
        if unknown:
            raise CorruptCaseError(case_id, f"{where}{unknown[0]}: unknown field (check the spelling; see `casebook schema`)")
    price = order["price"]
    order_date = date.fromisoformat(order["order_date"])
    stage = data.get("dispute", {}).get("stage", "not_opened")
    # values a shopper sees as labels must be known ones (else the validating read names the field)
    Platform(order["platform"]), ProblemKind(data["problem"]["kind"]), DisputeStage(stage), Decimal(price["amount"])
    return (
        case_id,
        order["platform"],
        order["order_id"],
        order["item_title"],
        data["problem"]["kind"],
        stage,
        price["amount"],
        price["currency"],
        order_date,
        (today - order_date).days,
        data["updated_at"],
        None,
    )


def _case_row(case: Case, today: date) -> tuple[Any, ...]:
    """The overview row of a case read by the validating path (the quick read could not make sense of the file)."""
    o = case.order
    return (case.id, o.platform.value, o.order_id, o.item_title, case.problem.kind.value, case.dispute.stage.value,
            str(o.price.amount), o.price.currency, o.order_date, (today - o.order_date).days, case.updated_at.isoformat(),
            None)


def natural_key(text: str) -> list[Any]:
    """Sort key that puts ``c2`` before ``c10``: digit runs compare as numbers."""
    import re

    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]
