"""Step 4: readiness, deadlines, the message preview, and the files to attach."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import ipywidgets as w

from ..playbook import Rules, advise, deadlines_ics
from ..store import Casebook, atomic_write_bytes
from ..summary import build_pack, report_html, summarise
from .base import Panel


class SummaryPanel(Panel):
    """What to do next and by when, the message (en/ko) and export buttons (txt, html, zip, ics)."""

    def __init__(self, book: Casebook, case_id: str | None = None, *, output_dir: str | Path = "casebook-output",
                 lang: str = "ko", now: datetime | None = None) -> None:
        super().__init__(lang)
        self.book = book
        self.case_id = case_id
        self.output_dir = Path(output_dir)
        self.now = now
        self.written: dict[str, Path] = {}
        self.readiness = w.HTML()
        self.readiness.add_class("casebook-readiness")
        self.deadlines = w.HTML()
        self.message_lang = w.ToggleButtons(options=[("English", "en"), ("한국어", "ko")], value="en")
        self.message_lang.observe(self.safely(lambda change: self.refresh()), names="value")
        self.message = w.Textarea(layout=w.Layout(width="46em", height="18em"))
        self.message.add_class("casebook-message")
        self.buttons = {}
        for fmt in ("txt", "html", "zip", "ics"):
            button = w.Button(description=self.t(f"ui.export_{fmt}"), icon="download", layout=w.Layout(width="auto"))
            button.add_class(f"casebook-export-{fmt}")
            button.on_click(self.safely(lambda _, fmt=fmt: self.export(fmt)))
            self.buttons[fmt] = button
        self.links = w.HTML()
        self.links.add_class("casebook-links")
        self.log_channel = w.Dropdown(options=["seller_chat", "platform_support", "email", "phone", "other"],
                                      value="seller_chat")
        self.log_direction = w.ToggleButtons(options=[(self.t("ui.sent"), "sent"), (self.t("ui.received"), "received")],
                                             value="sent")
        self.log_text = w.Textarea(layout=w.Layout(width="46em", height="5em"))
        self.log_text.add_class("casebook-log-text")
        self.log_button = w.Button(description=self.t("ui.log"), icon="comment")
        self.log_button.add_class("casebook-log-message")
        self.log_button.on_click(self.safely(lambda _: self.log_message()))
        log_box = w.VBox([w.HTML(f"<b>{self.t('ui.log_message')}</b>"), w.HBox([self.log_channel, self.log_direction]),
                          self.log_text, self.log_button])
        self.widget = w.VBox([self.readiness, self.deadlines, self.message_lang, self.message,
                              w.HBox(list(self.buttons.values())), self.links, log_box, self.status, self.error])
        self.widget.add_class("casebook-summary")
        if case_id:
            self.refresh()

    def set_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        if not self.case_id:
            return
        case = self.book.get(self.case_id)
        rules = Rules.for_casebook(self.book)
        advice = advise(case, now=self.now, rules=rules)
        summary = summarise(case, now=self.now, rules=rules)
        colour = "#1a7f37" if advice.ready else "#cf222e"
        checks = "".join(f"<li>{'✓' if c.ok else '✗'} {html.escape(c.text(self.lang))}</li>" for c in advice.checks)
        steps = "".join(f"<li>{html.escape(s)}</li>" for s in advice.steps(self.lang))
        self.readiness.value = (f"<h4 style='color:{colour}'>{html.escape(self.t('ui.readiness'))}: {advice.score}/100</h4>"
                                f"<ul>{checks}</ul><b>{html.escape(self.t('ui.next_steps'))}</b><ol>{steps}</ol>")
        dated = [d for d in advice.deadlines if d.status in ("upcoming", "past", "cannot_compute")]
        self.deadlines.value = (f"<b>{html.escape(self.t('ui.deadlines'))}</b><ul>"
                                + "".join(f"<li>{html.escape(d.describe(self.lang))}</li>" for d in dated) + "</ul>")
        if summary.seller_message and self.message_lang.value == "en":
            self.message.value = summary.seller_message
        else:
            self.message.value = summary.message(self.message_lang.value)

    def log_message(self) -> int:
        """Record the message in the case's log and refresh readiness (e.g. after first contacting the seller)."""
        from ..caselog import add_message

        if not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return 0
        case = add_message(self.book, self.case_id, text=self.log_text.value, channel=self.log_channel.value,
                           direction=self.log_direction.value)
        self.log_text.value = ""
        self.refresh()
        self.status.value = html.escape(self.t("ui.logged", n=len(case.seller_messages())))
        return len(case.messages)

    def export(self, fmt: str) -> Path | None:
        """Write one export into ``output_dir`` and show where it is."""
        if not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return None
        case = self.book.get(self.case_id)
        rules = Rules.for_casebook(self.book)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        target = self.output_dir / f"{case.id}-{ {'txt': 'message.txt', 'html': 'report.html', 'zip': 'dispute-pack.zip', 'ics': 'deadlines.ics'}[fmt]}"
        if fmt == "txt":
            summary = summarise(case, now=self.now, rules=rules)
            text = f"{summary.text('en')}\n\n---\n\n{summary.text('ko')}"
            atomic_write_bytes(target, text.encode("utf-8"))
        elif fmt == "html":
            atomic_write_bytes(target, report_html(case, book=self.book, now=self.now, rules=rules).encode("utf-8"))
        elif fmt == "zip":
            build_pack(self.book, case, target, now=self.now, rules=rules)
        else:
            atomic_write_bytes(target, deadlines_ics(case, advise(case, now=self.now, rules=rules).deadlines, lang=self.lang))
        self.written[fmt] = target
        self.links.value = "<br>".join(html.escape(self.t("ui.written", path=str(p))) for p in self.written.values())
        return target
