"""Step 3: collect evidence (upload, kind, caption), against the checklist for this problem."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..evidence import add_evidence, thumbnail, verify
from ..models import EvidenceKind
from ..playbook import Rules, checklist
from ..store import Casebook
from .base import Panel


class EvidencePanel(Panel):
    """Uploads become evidence; the checklist shows what is present and what is still missing."""

    def __init__(self, book: Casebook, case_id: str | None = None, *, lang: str = "ko") -> None:
        super().__init__(lang)
        self.book = book
        self.case_id = case_id
        self.upload = w.FileUpload(multiple=True, description=self.t("ui.upload"),
                                   accept="image/*,video/*,application/pdf,text/plain")
        self.upload.add_class("casebook-upload")
        self.kind = w.Dropdown(options=[k.value for k in EvidenceKind], value="defect_photo", description=self.t("ui.kind"))
        self.kind.add_class("casebook-kind")
        self.caption = w.Text(description=self.t("ui.caption"), layout=w.Layout(width="32em"))
        self.caption.add_class("casebook-caption")
        self.add_button = w.Button(description=self.t("ui.add"), button_style="primary", icon="plus")
        self.add_button.add_class("casebook-add")
        self.add_button.on_click(self.safely(lambda _: self.add_uploaded()))
        self.checklist = w.HTML()
        self.checklist.add_class("casebook-checklist")
        self.integrity = w.HTML()
        self.thumbnails = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox([w.HBox([self.upload, self.kind]), self.caption, self.add_button, self.status, self.error,
                              self.checklist, self.integrity, self.thumbnails])
        self.widget.add_class("casebook-evidence")
        if case_id:
            self.refresh()

    def set_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.refresh()

    def add_uploaded(self) -> int:
        """Add every uploaded file with the chosen kind and caption; returns how many were new."""
        if not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return 0
        added = duplicates = 0
        problems: list[str] = []
        warnings: list[str] = []
        for item in self.upload.value:
            case = self.book.get(self.case_id)
            try:
                result = add_evidence(self.book, case, bytes(item["content"]), self.kind.value, self.caption.value,
                                      original_name=item["name"])
            except Exception as error:  # one bad file must not stop the others
                problems.append(f"{item['name']}: {error}")
                continue
            duplicates += result.duplicate
            added += not result.duplicate
            warnings.extend(result.warnings)
        self.upload.value = ()
        self.status.value = html.escape(self.t("ui.added", n=added, dup=duplicates)) + "".join(
            f"<br><span style='color:#9a6700'>⚠ {html.escape(w)}</span>" for w in warnings)
        if problems:
            self.show_error("; ".join(problems))
        self.refresh()
        return added

    def refresh(self) -> None:
        if not self.case_id:
            return
        case = self.book.get(self.case_id)
        items = checklist(case, Rules.for_casebook(self.book))
        rows = "".join(
            f"<li class='casebook-item casebook-item-{'present' if i.present else 'missing'}' data-item='{i.key}'>"
            f"{'✅' if i.present else ('❌' if i.required else '⬜')} <b>{html.escape(i.label(self.lang))}</b>"
            f"{'' if i.present else ' — ' + html.escape(i.why(self.lang))}</li>" for i in items)
        self.checklist.value = f"<b>{html.escape(self.t('ui.checklist'))}</b><ul>{rows}</ul>"
        issues = verify(self.book, case)
        if issues:
            self.integrity.value = (f"<b style='color:#cf222e'>{html.escape(self.t('ui.integrity_bad'))}</b><ul>"
                                    + "".join(f"<li>{html.escape(str(i))}</li>" for i in issues) + "</ul>")
        else:
            self.integrity.value = f"<span style='color:#1a7f37'>{html.escape(self.t('ui.integrity_ok', n=len(case.evidence)))}</span>"
        self.thumbnails.children = [self._thumbnail(case, record) for record in case.evidence]

    def _thumbnail(self, case: Any, record: Any) -> w.Widget:
        label = w.HTML(f"<small>{html.escape(record.id)} {html.escape(record.kind.value)}<br>{html.escape(record.caption[:40])}</small>")
        preview = thumbnail((self.book.evidence_dir(case.id) / record.file).read_bytes(), record.mime, 120)
        if preview is not None:
            return w.VBox([w.Image(value=preview, format="jpeg"), label])
        return w.VBox([w.HTML(f"<div style='width:120px;height:80px;border:1px solid #ccc'>{html.escape(record.mime)}</div>"), label])
