"""ipywidgets panels, one per step: faces over ``casebook.services`` (no rules here)."""

from __future__ import annotations

from .app import CasebookApp, when_visited
from .base import Panel
from .evidence import EvidencePanel
from .log_order import LogOrderPanel
from .overview import OverviewPanel
from .summary import SummaryPanel
from .tracking import TrackingPanel

__all__ = ["CasebookApp", "EvidencePanel", "LogOrderPanel", "OverviewPanel", "Panel", "SummaryPanel", "TrackingPanel", "when_visited"]
