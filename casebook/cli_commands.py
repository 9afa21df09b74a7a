"""Sub-commands contributed by the tracking, evidence, playbook and summary layers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REGISTER: list[Callable[[Any], None]] = []
