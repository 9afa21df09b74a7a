"""casebook: handle a problem order from an overseas marketplace, end to end.

For notebooks and teaching, the whole job is a few verbs on an open casebook::

    import casebook
    book = casebook.open_casebook("~/casebook", examples=True)   # the guide's five cases
    casebook.parse("ra 1234 5678 9 cn")                           # check a tracking number
    casebook.track(book, "seed-c", paste=page_text)              # read a pasted tracking page
    casebook.add_evidence(book, "seed-b", "listing.png", "product_page_screenshot")
    casebook.advise(book, "seed-b")                              # readiness, next steps, deadlines
    casebook.summarise(book, "seed-b")                           # the dispute message (en, ko)
    casebook.export_pack(book, "seed-b", "out/")                 # the zip to attach

Every result shows itself in a notebook. The command line (``casebook``) and
the widget panels (``casebook.ui``) are faces over the same verbs
(``casebook.services``).
"""

from __future__ import annotations

from .errors import (
    CaseInputError,
    CaseNotFoundError,
    CasebookError,
    ConfigError,
    ConflictError,
    CorruptCaseError,
    EvidenceError,
    ProviderError,
    SchemaVersionError,
    TrackingError,
    TrackingNumberError,
)
from .evidence import EvidenceAdded, VerifyIssue
from .models import (
    Case,
    Channel,
    CheckKey,
    DeadlineStatus,
    Direction,
    Dispute,
    DisputeStage,
    Evidence,
    EvidenceKind,
    Message,
    Money,
    Order,
    Outcome,
    Payer,
    Platform,
    Problem,
    ProblemKind,
    RefundType,
    Remedy,
    Severity,
    Shipment,
    Shopper,
    TrackingEvent,
    TrackingSnapshot,
    TrackingStatus,
)
from .playbook import Advice, Check, ChecklistItem, Deadline, LadderStep
from .rules import Rules
from .services import (
    CaseSaved,
    EvidenceReport,
    Exported,
    TrackReport,
    VerifyReport,
    add_evidence,
    advise,
    checklist,
    collect_evidence,
    deadlines,
    export,
    export_pack,
    log_message,
    new_case,
    new_case_from_file,
    open_casebook,
    overview,
    record_dispute,
    report,
    summarise,
    track,
    track_all,
    track_numbers,
    verify,
)
from .settings import Settings
from .store import Casebook
from .summary import DisputeSummary
from .tracking.numbers import TrackingNumber, extract, parse, suggest

__version__ = "0.2.0"

__all__ = [
    # verbs
    "open_casebook",
    "new_case",
    "new_case_from_file",
    "log_message",
    "record_dispute",
    "parse",
    "suggest",
    "extract",
    "track",
    "track_numbers",
    "track_all",
    "add_evidence",
    "collect_evidence",
    "verify",
    "checklist",
    "advise",
    "deadlines",
    "summarise",
    "report",
    "export",
    "export_pack",
    "overview",
    # the casebook and its settings
    "Casebook",
    "Settings",
    "Rules",
    # the case vocabulary
    "Case",
    "Order",
    "Problem",
    "Money",
    "Shipment",
    "TrackingEvent",
    "TrackingSnapshot",
    "Message",
    "Evidence",
    "Dispute",
    "Outcome",
    "Shopper",
    # closed sets
    "Platform",
    "ProblemKind",
    "RefundType",
    "Remedy",
    "DisputeStage",
    "EvidenceKind",
    "TrackingStatus",
    "Channel",
    "Direction",
    "Payer",
    "DeadlineStatus",
    "Severity",
    "CheckKey",
    # results
    "CaseSaved",
    "TrackReport",
    "TrackingNumber",
    "EvidenceAdded",
    "EvidenceReport",
    "VerifyReport",
    "VerifyIssue",
    "Advice",
    "Check",
    "ChecklistItem",
    "Deadline",
    "LadderStep",
    "DisputeSummary",
    "Exported",
    # errors
    "CasebookError",
    "CaseInputError",
    "CaseNotFoundError",
    "ConfigError",
    "ConflictError",
    "CorruptCaseError",
    "EvidenceError",
    "ProviderError",
    "SchemaVersionError",
    "TrackingError",
    "TrackingNumberError",
]
