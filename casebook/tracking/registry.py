"""The carrier registry, loaded once from ``carriers.toml`` (data, not code)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["Pattern", "Carrier", "Registry", "load_registry", "default_registry"]


@dataclass(frozen=True, slots=True)
class Pattern:
    carrier_key: str
    name: str
    regex: re.Pattern[str]
    min_length: int
    max_length: int
    lengths: frozenset[int]
    checksum: dict[str, Any]
    confidence: float
    digits_only: bool
    country_group: str | None
    prepend_if_not: tuple[re.Pattern[str], str] | None
    source: str

    @property
    def has_checksum(self) -> bool:
        return self.checksum.get("name", "none") != "none"


@dataclass(frozen=True, slots=True)
class Carrier:
    key: str
    name_en: str
    name_ko: str
    url: str
    source: str
    korean: bool = False
    seventeentrack_code: int | None = None
    patterns: tuple[Pattern, ...] = ()

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


@dataclass(frozen=True)
class Registry:
    carriers: dict[str, Carrier]
    by_length: dict[int, tuple[Pattern, ...]]
    min_length: int
    max_length: int
    seventeentrack_url: str
    s10_services: dict[str, tuple[str, str]]
    s10_operators: dict[str, tuple[str, str, int | None]]
    countries: dict[str, str] = field(default_factory=dict)


def _countries() -> dict[str, str]:
    """ISO 3166 alpha-2 codes with names, from the IANA tz database (``tzdata``)."""
    text = resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text(encoding="utf-8")
    result: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            result[code.strip()] = name.strip()
    return result


def load_registry(path: Path | None = None) -> Registry:
    """Parse a carriers TOML file (the bundled one by default) into a registry."""
    try:
        if path is None:
            raw = tomllib.loads(resources.files("casebook.tracking").joinpath("carriers.toml").read_text("utf-8"))
        else:
            raw = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"carrier registry {path or 'carriers.toml'}: {error}") from None
    carriers: dict[str, Carrier] = {}
    buckets: dict[int, list[Pattern]] = {}
    for entry in raw.get("carrier", []):
        key = entry["key"]
        patterns = []
        for spec in entry.get("pattern", []):
            lengths = list(spec["lengths"])
            if spec.get("length_range"):
                lengths = list(range(lengths[0], lengths[-1] + 1))
            try:
                regex = re.compile(spec["regex"])
            except re.error as error:
                raise ConfigError(f"carrier {key} pattern {spec['name']!r}: bad regex ({error})") from None
            prepend = spec.get("prepend_if_not")
            pattern = Pattern(
                carrier_key=key,
                name=spec["name"],
                regex=regex,
                min_length=min(lengths),
                max_length=max(lengths),
                lengths=frozenset(lengths),
                checksum=dict(spec.get("checksum", {"name": "none"})),
                confidence=float(spec.get("confidence", 0.5)),
                digits_only=bool(spec.get("digits_only", False)),
                country_group=spec.get("country_group"),
                prepend_if_not=(re.compile(prepend["regex"]), prepend["content"]) if prepend else None,
                source=spec.get("source", entry.get("source", "")),
            )
            patterns.append(pattern)
            for length in pattern.lengths:
                buckets.setdefault(length, []).append(pattern)
        carriers[key] = Carrier(
            key=key,
            name_en=entry["name_en"],
            name_ko=entry["name_ko"],
            url=entry.get("url", ""),
            source=entry.get("source", ""),
            korean=bool(entry.get("korean", False)),
            seventeentrack_code=entry.get("seventeentrack_code"),
            patterns=tuple(patterns),
        )
    all_lengths = sorted(buckets)
    operators = {
        code: (values[0], values[1], values[2] if len(values) > 2 else None)
        for code, values in raw.get("s10_operators", {}).items()
    }
    return Registry(
        carriers=carriers,
        by_length={length: tuple(patterns) for length, patterns in buckets.items()},
        min_length=all_lengths[0],
        max_length=all_lengths[-1],
        seventeentrack_url=raw.get("meta", {}).get("seventeentrack_url", ""),
        s10_services={k: (v[0], v[1]) for k, v in raw.get("s10_services", {}).items()},
        s10_operators=operators,
        countries=_countries(),
    )


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return load_registry()
