"""The carrier registry, loaded once from ``carriers.toml`` (data, not code)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from operator import mul
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["Pattern", "Carrier", "Registry", "load_registry", "default_registry"]


Checker = Callable[[str], str]


# Byte value of each character for checksums: digits are themselves, letters (UPS)
# count as (ord - 3) % 10. Working on bytes keeps the hot loop in C.
_VALUES = bytes(
    (b - 48) if 48 <= b <= 57 else ((b - 3) % 10) if 65 <= b <= 90 else 0 for b in range(256)
)


def make_checker(spec: dict[str, Any]) -> Checker | None:
    """A function serial -> expected check digit, specialised once per pattern (hot path)."""
    name = spec.get("name", "none")
    if name == "s10":
        weights = tuple(spec["weightings"])
        modulo = spec.get("modulo", 11)

        def s10(serial: str) -> str:
            remainder = sum(map(mul, weights, serial.encode().translate(_VALUES))) % modulo
            return "0" if remainder == 1 else "5" if remainder == 0 else str(11 - remainder)

        return s10
    if name == "mod10":
        first, second = spec.get("first_multiplier", 1), spec.get("second_multiplier", 1)
        reverse = bool(spec.get("reverse"))

        def mod10(serial: str) -> str:
            values = serial.encode().translate(_VALUES)
            if reverse:
                values = values[::-1]
            total = first * sum(values[0::2]) + second * sum(values[1::2])
            return str((10 - total % 10) % 10)

        return mod10
    if name == "sum_product":
        weights = tuple(spec["weightings"])
        m1, m2 = spec["modulo1"], spec["modulo2"]

        def sum_product(serial: str) -> str:
            return str(sum(map(mul, weights, serial.encode().translate(_VALUES))) % m1 % m2)

        return sum_product
    if name == "mod7":
        modulo = spec.get("modulo", 7)
        return lambda serial: str(int(serial) % modulo)
    if name == "none":
        return None
    raise ConfigError(f"unknown checksum {name!r}; use s10, mod10, sum_product, mod7 or none")


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
    checker: Checker | None = None
    confidence_checked: float = 0.0
    first: frozenset[str] | None = None
    # sort keys for parse(): negative confidences, so that ascending order is most likely first
    rank: float = 0.0
    rank_checked: float = 0.0
    rank_bad_country: float = 0.0

    @property
    def has_checksum(self) -> bool:
        return self.checker is not None


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
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


@dataclass(frozen=True)
class Registry:
    carriers: dict[str, Carrier]
    by_length: dict[int, tuple[Pattern, ...]]
    index: dict[tuple[int, str, bool], tuple[tuple[Any, Pattern], ...]]
    min_length: int
    max_length: int
    seventeentrack_url: str
    s10_services: dict[str, tuple[str, str]]
    s10_operators: dict[str, tuple[str, str, int | None]]
    countries: dict[str, str] = field(default_factory=dict)
    date_shapes: tuple[re.Pattern[str], ...] = ()  # digit runs that are dates or times ([not_numbers])

    def date_shaped(self, number: str) -> bool:
        """A run of digits shaped like a date or a timestamp (``2026112010``), not a tracking number."""
        return number.isdigit() and any(shape.match(number) for shape in self.date_shapes)


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
            confidence = float(spec.get("confidence", 0.5))
            checked = round(min(0.99, confidence + 0.09), 2)
            pattern = Pattern(
                carrier_key=key,
                name=spec["name"],
                regex=regex,
                min_length=min(lengths),
                max_length=max(lengths),
                lengths=frozenset(lengths),
                checksum=dict(spec.get("checksum", {"name": "none"})),
                confidence=confidence,
                digits_only=bool(spec.get("digits_only", False)),
                country_group=spec.get("country_group"),
                prepend_if_not=(re.compile(prepend["regex"]), prepend["content"]) if prepend else None,
                source=spec.get("source", entry.get("source", "")),
                checker=make_checker(dict(spec.get("checksum", {"name": "none"}))),
                confidence_checked=checked,
                first=first_chars(spec["regex"]),
                rank=-confidence,
                rank_checked=-checked,
                rank_bad_country=-round(confidence * 0.5, 2),
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
            aliases=tuple(entry.get("aliases", ())),
        )
    all_lengths = sorted(buckets)
    try:
        date_shapes = tuple(re.compile(shape) for shape in raw.get("not_numbers", {}).get("date_shapes", []))
    except re.error as error:
        raise ConfigError(f"carrier registry [not_numbers] date_shapes: bad regex ({error})") from None
    operators = {
        code: (values[0], values[1], values[2] if len(values) > 2 else None)
        for code, values in raw.get("s10_operators", {}).items()
    }
    return Registry(
        carriers=carriers,
        by_length={length: tuple(patterns) for length, patterns in buckets.items()},
        index=_index(buckets),
        min_length=all_lengths[0],
        max_length=all_lengths[-1],
        seventeentrack_url=raw.get("meta", {}).get("seventeentrack_url", ""),
        s10_services={k: (v[0], v[1]) for k, v in raw.get("s10_services", {}).items()},
        s10_operators=operators,
        countries=_countries(),
        date_shapes=date_shapes,
    )


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def first_chars(regex: str) -> frozenset[str] | None:
    """The characters a match can start with, read from the regex itself; None if unknown."""
    from re import _constants as C  # noqa: N812 - the stdlib's own regex parser
    from re import _parser

    def first(items: list[Any]) -> set[str] | None:
        for op, av in items:
            if op is C.AT:
                continue
            if op is C.LITERAL:
                return {chr(av)}
            if op is C.IN:
                chars: set[str] = set()
                for in_op, in_av in av:
                    if in_op is C.LITERAL:
                        chars.add(chr(in_av))
                    elif in_op is C.RANGE:
                        chars.update(chr(c) for c in range(in_av[0], in_av[1] + 1))
                    else:
                        return None
                return chars
            if op is C.SUBPATTERN:
                return first(list(av[-1]))
            if op in (C.MAX_REPEAT, C.MIN_REPEAT):
                low, _high, sub = av
                return first(list(sub)) if low > 0 else None
            if op is C.BRANCH:
                union: set[str] = set()
                for branch in av[1]:
                    chars_b = first(list(branch))
                    if chars_b is None:
                        return None
                    union |= chars_b
                return union
            return None
        return None

    found = first(list(_parser.parse(regex)))
    return frozenset(found) if found is not None else None


def _index(buckets: dict[int, list[Pattern]]) -> dict[tuple[int, str, bool], tuple[tuple[Any, Pattern], ...]]:
    """(length, first character, digits-only) -> (bound regex match, pattern) worth trying."""
    index = {}
    for length, patterns in buckets.items():
        for ch in _ALPHABET:
            for digits in (True, False):
                chosen = tuple(
                    (p.regex.match, p) for p in patterns
                    if p.digits_only == digits and (p.first is None or ch in p.first)
                )
                if chosen:
                    index[(length, ch, digits)] = chosen
    return index


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return load_registry()
