"""Step 3: collect evidence (upload, kind, caption), against the checklist for this problem."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from .. import services
from ..evidence import thumbnail
from ..i18n import label
from ..models import EvidenceKind
from ..store import Casebook
from ..views import checklist_html, verify_html
from .base import Panel, options


class EvidencePanel(Panel):
    """Uploads become evidence; the checklist shows what is present and what is still missing."""

    def __init__(self, book: Casebook, case_id: str | None = None, *, lang: str | None = None) -> None:
        super().__init__(book, lang)
        self.case_id = case_id
        self.upload = w.FileUpload(multiple=True, description=self.t("ui.upload"),
                                   accept="image/*,video/*,application/pdf,text/plain")
        self.upload.add_class("casebook-upload")
        self.kind = w.Dropdown(options=options(EvidenceKind, self.lang), value="defect_photo",
                               description=self.t("ui.kind"))
        self.kind.add_class("casebook-kind")
        self.caption = w.Text(description=self.t("ui.caption"), layout=w.Layout(width="100%", max_width="32em"))
        self.caption.add_class("casebook-caption")
        self.add_button = self.button("ui.add", self.add_uploaded, css="casebook-add", style="primary", icon="plus")
        self.checklist = w.HTML()
        self.checklist.add_class("casebook-checklist")
        self.integrity = w.HTML()
        self.thumbnails = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox([w.HBox([self.upload, self.kind], layout=w.Layout(flex_flow="row wrap")), self.caption,
                              self.add_button, self.status, self.error, self.checklist, self.integrity, self.thumbnails])
        self.widget.add_class("casebook-evidence")
        if case_id:
            self.refresh()

    def relabel(self) -> None:
        self.upload.description = self.t("ui.upload")
        chosen = self.kind.value
        self.kind.options = options(EvidenceKind, self.lang)
        self.kind.value = chosen
        self.kind.description = self.t("ui.kind")
        self.caption.description = self.t("ui.caption")
        self.add_button.description = self.t("ui.add")
        if self.case_id:
            self.refresh()

    def set_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.refresh()

    def add_uploaded(self) -> int:
        """Add every uploaded file with the chosen kind and caption; returns how many were new."""
        if not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return 0
        entries = [{"data": bytes(item["content"]), "name": item["name"], "kind": self.kind.value,
                    "caption": self.caption.value} for item in self.upload.value]
        if not entries:
            return 0
        report = services.collect_evidence(self.book, self.case_id, entries)
        self.upload.value = ()
        added = sum(not a.duplicate for a in report.added)
        duplicates = sum(a.duplicate for a in report.added)
        self.status.value = html.escape(self.t("ui.added", n=added, dup=duplicates)) + "".join(
            f"<br><span style='color:#9a6700'>{html.escape(self.t('cli.warning', text=warning))}</span>"
            for warning in report.warnings)
        if report.refused:
            self.show_error("; ".join(report.refused))
        self._show(report)
        return added

    def refresh(self) -> None:
        if not self.case_id:
            return
        self._show(services.collect_evidence(self.book, self.case_id))

    def _show(self, report: services.EvidenceReport) -> None:
        self.checklist.value = checklist_html(report.checklist, self.lang)
        self.integrity.value = verify_html(report.issues, report.evidence_count, self.lang)
        case = self.book.get(report.case_id)
        self.thumbnails.children = [self._thumbnail(case, record) for record in case.evidence]

    def _thumbnail(self, case: Any, record: Any) -> w.Widget:
        caption = html.escape(f"{record.id} {label(record.kind, self.lang)}") + f"<br>{html.escape(record.caption[:40])}"
        text = w.HTML(f"<small>{caption}</small>")
        preview = thumbnail((self.book.evidence_dir(case.id) / record.file).read_bytes(), record.mime, 120)
        if preview is not None:
            return w.VBox([w.Image(value=preview, format="jpeg"), text])
        return w.VBox([w.HTML(f"<div style='width:120px;height:80px;border:1px solid #ccc'>{html.escape(record.mime)}</div>"),
                       text])
