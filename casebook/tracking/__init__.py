"""Tracking: numbers (offline), providers (17TRACK, UNI-PASS, offline import), timeline analysis."""

from __future__ import annotations

from .numbers import Candidate, Found, Reason, TrackingNumber, extract, normalise, parse, suggest
from .registry import Registry, default_registry, load_registry

__all__ = [
    "Candidate",
    "Found",
    "Reason",
    "Registry",
    "TrackingNumber",
    "default_registry",
    "extract",
    "load_registry",
    "normalise",
    "parse",
    "suggest",
]
