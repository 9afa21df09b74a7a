"""Step 3: collect evidence (upload, kind, caption), against the checklist for this problem; remove an item."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from .. import services
from ..evidence import thumbnail
from ..i18n import label, without_label
from ..models import EvidenceKind
from ..store import Casebook
from ..views import checklist_html, verify_html
from .base import CasePanel, options


class EvidencePanel(CasePanel):
    """Uploads become evidence; the checklist shows what is present and what is still missing.

    "Add evidence" can be pressed only when files are chosen (so a double
    click adds them once); a file already in the case is named, not added
    again; any item can be removed (its file goes to ``.trash/``).
    """

    def __init__(self, book: Casebook, case_id: str | None = None, *, lang: str | None = None,
                 today: Any = None, picker: bool = True) -> None:
        super().__init__(book, case_id, lang=lang, today=today, picker=picker)
        self.upload = w.FileUpload(multiple=True, accept="image/*,video/*,application/pdf,text/plain",
                                   layout=w.Layout(width="auto", max_width="100%"))
        self.labelled(self.upload, "description", "ui.upload")
        self.upload.add_class("casebook-upload")
        self.kind = w.Dropdown(options=options(EvidenceKind, self.lang), value="defect_photo",
                               layout=w.Layout(width="auto", max_width="100%"))
        self.labelled(self.kind, "description", "ui.kind")
        self.kind.add_class("casebook-kind")
        self.caption = w.Text(layout=w.Layout(width="100%", max_width="32em"))
        self.labelled(self.caption, "description", "ui.caption")
        self.caption.add_class("casebook-caption")
        self.add_button = self.button("ui.add", self.add_uploaded, css="casebook-add", style="primary", icon="plus",
                                      enabled=lambda: bool(self.case_id and self.upload.value))
        self.upload.observe(self.safely(lambda change: self._files_chosen()), names="value")
        self.hint = w.HTML()
        self.hint.add_class("casebook-hint")
        self.checklist = w.HTML()
        self.checklist.add_class("casebook-checklist")
        self.integrity = w.HTML()
        self.thumbnails = w.HBox(layout=w.Layout(flex_flow="row wrap", max_width="100%"))
        self.remove_which = w.Dropdown(layout=w.Layout(width="auto", max_width="100%"))
        self.labelled(self.remove_which, "description", "undo.which")
        self.remove_which.add_class("casebook-remove-which")
        self.remove_which.observe(self._which_changed, names="value")
        self.remove_button = self.button("undo.evidence", self.remove, css="casebook-remove-evidence", icon="trash",
                                         enabled=lambda: bool(self.case_id and self.remove_which.value))
        self.widget = w.VBox([self.header, w.HBox([self.upload, self.kind], layout=w.Layout(flex_flow="row wrap")),
                              self.caption, self.add_button, self.hint, self.status, self.error, self.checklist,
                              self.integrity, self.thumbnails,
                              w.HBox([self.remove_which, self.remove_button], layout=w.Layout(flex_flow="row wrap"))])
        self.widget.add_class("casebook-evidence")
        self.widget.add_class("casebook-panel")
        self.refresh()

    def relabel(self) -> None:
        chosen = self.kind.value
        self.kind.options = options(EvidenceKind, self.lang)
        self.kind.value = chosen
        super().relabel()
        self._files_chosen()

    def _files_chosen(self) -> None:
        self.add_button.disabled = not (self.case_id and self.upload.value)
        self.hint.value = "" if self.upload.value or not self.case_id else (
            f"<small style='color:#57606a'>{html.escape(self.t('picker.choose_files'))}</small>")

    def add_uploaded(self) -> int:
        """Add every uploaded file with the chosen kind and caption; returns how many were new."""
        if not self.need_case():
            return 0
        entries = [{"data": bytes(item["content"]), "name": item["name"], "kind": self.kind.value,
                    "caption": self.caption.value} for item in self.upload.value]
        if not entries:
            return 0
        report = services.collect_evidence(self.book, self.case_id, entries)
        self.upload.value = ()
        new = [a for a in report.added if not a.duplicate]
        again = [a for a in report.added if a.duplicate]

        def render(lang: str) -> str:
            from ..i18n import t

            parts = []
            if new or not again:
                parts.append(html.escape(t("ui.added", lang, n=len(new), dup=len(again))))
            if again:
                items = ", ".join(f"{a.evidence.id} ({a.evidence.original_name or a.evidence.file})" for a in again)
                parts.append(f"<b style='color:#9a6700'>{html.escape(t('picker.already_added', lang, items=items))}</b>")
            parts += [f"<span style='color:#9a6700'>{html.escape(t('cli.warning', lang, text=warning))}</span>"
                      for warning in report.warnings]
            return "<br>".join(parts)

        self.say(render)
        if report.failures:
            self.show_errors(report.failures)
        self._show(report)
        self._banner()
        return len(new)

    def remove(self) -> services.Undone | None:
        """Take the chosen item out of the case; its file and record go to ``.trash/``."""
        if not self.need_case() or not self.remove_which.value:
            return None
        undone = services.remove_evidence(self.book, self.case_id, self.remove_which.value)
        self.refresh()
        self._banner()
        self.say(lambda lang: html.escape(undone.message(lang)))
        return undone

    def refresh(self) -> None:
        if not self.case_id:
            self.checklist.value = self.integrity.value = ""
            self.thumbnails.children = ()
            self.remove_which.options = []
            self._files_chosen()
            return
        self._show(services.collect_evidence(self.book, self.case_id))
        self._files_chosen()

    def _show(self, report: services.EvidenceReport) -> None:
        self.checklist.value = checklist_html(report.checklist, self.lang)
        self.integrity.value = verify_html(report.issues, report.evidence_count, self.lang)
        case = self.book.get(report.case_id)
        self.thumbnails.children = [self._thumbnail(case, record) for record in case.evidence]
        self.remove_which.options = [(f"{r.id} · {label(r.kind, self.lang)} · {(without_label(r.caption, r.kind) or r.original_name or '')[:30]}",
                                      r.id) for r in case.evidence]
        self.remove_which.value = None
        self.remove_button.disabled = True

    def _which_changed(self, change: dict[str, Any]) -> None:
        if hasattr(self, "remove_button"):
            self.remove_button.disabled = not (self.case_id and change["new"])

    def _thumbnail(self, case: Any, record: Any) -> w.Widget:
        caption = html.escape(f"{record.id} {label(record.kind, self.lang)}") + f"<br>{html.escape(without_label(record.caption, record.kind)[:40])}"
        text = w.HTML(f"<small>{caption}</small>")
        preview = thumbnail((self.book.evidence_dir(case.id) / record.file).read_bytes(), record.mime, 120)
        if preview is not None:
            return w.VBox([w.Image(value=preview, format="jpeg", layout=w.Layout(max_width="120px")), text])
        return w.VBox([w.HTML(f"<div style='width:120px;height:80px;border:1px solid #ccc'>{html.escape(record.mime)}</div>"),
                       text])
