"""The guide's five cases (A-E) as example cases, and reading case files.

Example cases live in the repository's ``examples/cases/<id>/`` as
``case.yaml`` plus ``evidence.yaml`` (file, kind, caption) and the evidence
files themselves, so they stay readable and reviewable as text.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from .errors import CaseInputError, CasebookError, ConflictError
from .models import parse_case
from .store import Casebook

__all__ = ["examples_dir", "read_case_file", "read_new_case", "load_examples", "safe_yaml", "SEED_IDS", "MAX_CASE_FILE_BYTES"]

SEED_IDS = ("seed-a", "seed-b", "seed-c", "seed-d", "seed-e")
MAX_CASE_FILE_BYTES = 4 * 1024 * 1024  # a case file to import; real ones are a few kilobytes


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases: ``*ref`` lets 625 bytes expand into billions of nodes (a "billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted in casebook files; "
                                              "write the value out", event.start_mark)
        return super().compose_node(parent, index)


def safe_yaml(text: str) -> Any:
    """YAML as plain data: no aliases, no tags, bounded nesting (``CaseInputError`` otherwise)."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise CaseInputError([("", "nested too deeply to be a case file")]) from None


def bundled_dir(name: str) -> Path:
    """A folder shipped with casebook (``examples`` or ``notebooks``).

    An installed wheel carries them inside the package (``casebook/_bundled``);
    a source checkout has them at the top of the repository.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled" / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise CasebookError(f"the bundled {name}/ folder is missing from this installation; reinstall casebook")


def examples_dir() -> Path:
    """The bundled example data (the guide's five cases, tracking pages, a batch of orders)."""
    return bundled_dir("examples")


def read_case_file(path: Path) -> dict[str, Any]:
    """A case-shaped dict from JSON or YAML; ids and dates stay text until validated.

    Hostile files fail fast with one line: above 4 MB, YAML aliases, nesting
    beyond the interpreter's recursion limit.
    """
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CASE_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CasebookError(f"{path}: no such file") from None
    except OSError as error:
        raise CasebookError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(raw) > MAX_CASE_FILE_BYTES:
        raise CasebookError(f"{path}: larger than {MAX_CASE_FILE_BYTES // 2**20} MB; a case file is a few kilobytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CasebookError(f"{path}: not UTF-8 text") from None
    try:
        data = json.loads(text) if kind == "JSON" else safe_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise CasebookError(f"{path}: cannot be read as {kind} ({' '.join(str(error).split())})") from None
    except RecursionError:
        raise CaseInputError([("", "nested too deeply to be a case file")], source=str(path)) from None
    except CaseInputError as error:
        raise CaseInputError(error.problems, source=str(path)) from None
    if not isinstance(data, dict):
        raise CasebookError(f"{path}: expected a mapping with 'order' and 'problem' at the top level")
    try:
        return _dates_to_text(data)
    except RecursionError:
        raise CaseInputError([("", "nested too deeply to be a case file")], source=str(path)) from None


def read_new_case(path: Path) -> dict[str, Any]:
    """A case file as input for a new case: what the store sets itself (revision, times, schema) is dropped."""
    data = read_case_file(path)
    for volatile in ("revision", "created_at", "updated_at", "schema_version"):
        data.pop(volatile, None)
    return data


def _dates_to_text(value: Any) -> Any:
    # YAML turns 2026-03-02 into a date and some timestamps into naive datetimes;
    # hand pydantic the text so its own validation (and errors) apply.
    import datetime as dt

    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def load_examples(book: Casebook, *, examples_dir: Path | None = None, replace: bool = False,
                  ids: tuple[str, ...] = SEED_IDS) -> list[str]:
    """Add the example cases (and their evidence files) to ``book``; returns the ids added."""
    from .evidence import add_evidence

    root = (examples_dir or globals()["examples_dir"]()) / "cases"
    added = []
    for case_id in ids:
        folder = root / case_id
        data = read_case_file(folder / "case.yaml")
        case = parse_case(data, source=str(folder / "case.yaml"))
        if case_id in book:
            if not replace:
                raise ConflictError(f"case {case_id!r} already exists in {book.path}; use --force to replace the examples")
            book.delete(case_id)
        case = book.add(case)
        listing = folder / "evidence.yaml"
        entries = safe_yaml(listing.read_text(encoding="utf-8")) if listing.exists() else []
        for entry in entries or []:
            try:
                add_evidence(book, case, folder / "evidence" / entry["file"], entry["kind"], entry.get("caption", ""))
            except KeyError as error:
                raise CaseInputError([(f"{listing}: {error.args[0]}", "required in each evidence entry")]) from None
        added.append(case_id)
    return added


def copy_examples(dest: Path) -> Path:  # pragma: no cover - convenience for notebooks
    shutil.copytree(examples_dir(), dest, dirs_exist_ok=True)
    return dest
