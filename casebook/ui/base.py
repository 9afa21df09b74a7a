"""What every panel shares: the casebook, a language, a visible error area, safe callbacks and the case picker.

ipywidgets swallows exceptions raised in button callbacks (they go to a log
the shopper never sees). ``Panel.safely`` wraps every callback: the error is
shown in the panel in the shopper's language, kept in ``panel.errors`` for
tests, and logged. While a callback runs, its button is disabled, so a double
click does the work once.

Everything a panel says is kept as a function of the language (``say``,
``show_error``), so switching the language re-renders messages already on
screen, not only the labels.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from .. import services
from ..config import redact
from ..errors import CaseInputError, CasebookError
from ..field_errors import error_text
from ..i18n import t
from ..store import Casebook
from ..views import LAYOUT_STYLE, case_banner_html, notice_html

log = logging.getLogger("casebook.ui")

Render = Callable[[str], str]  # language -> HTML


class Panel:
    """A step of the guided flow: ``panel.widget`` is what a notebook displays."""

    def __init__(self, book: Casebook, lang: str | None = None) -> None:
        self.book = book
        self.lang = lang or book.settings.language
        self.errors: list[str] = []
        self.error = w.HTML(layout=w.Layout(min_height="0"))
        self.error.add_class("casebook-error")
        self.status = w.HTML()
        self.status.add_class("casebook-status")
        self.widget: w.Box = w.VBox()
        self._error_render: Render | None = None
        self._status_render: Render | None = None
        self._labels: list[tuple[Any, str, str]] = []  # (widget, attribute, catalogue key): relabelled on a switch

    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def set_lang(self, lang: str) -> None:
        """Relabel every control and re-render what is shown (messages and errors too), in ``lang``."""
        self.lang = lang
        for widget, attribute, key in self._labels:
            setattr(widget, attribute, self.t(key))
        self.relabel()
        if self._error_render is not None:
            self.error.value = self._error_render(lang)
        if self._status_render is not None:
            self.status.value = self._status_render(lang)

    def relabel(self) -> None:
        """Subclasses put their labels (and refreshed views) here."""

    def labelled(self, widget: Any, attribute: str, key: str) -> Any:
        """Set ``widget.attribute`` from the catalogue now and after every language switch."""
        setattr(widget, attribute, self.t(key))
        self._labels.append((widget, attribute, key))
        return widget

    # -- messages --------------------------------------------------------------------------------------
    def say(self, render: Render | None) -> None:
        """Show a message (a function of the language) in the status line; ``None`` clears it."""
        self._status_render = render
        self.status.value = render(self.lang) if render is not None else ""

    def show_error(self, error: BaseException | str, *, lead: str | None = None) -> None:
        """Show what went wrong, in the shopper's language, after a heading that says what kind of problem it is.

        ``lead`` is a catalogue key said before the details (e.g. "fix the marked fields").
        """
        if isinstance(error, BaseException):
            english = redact(error_text(error, "en"))
            heading = ("error.input" if isinstance(error, CaseInputError)
                       else "error.check" if callable(getattr(error, "text", None)) else "ui.error")

            def render(lang: str, error: BaseException = error, heading: str = heading) -> str:
                said = f"{t(lead, lang)} " if lead else ""
                return _alert(t(heading, lang), said + redact(error_text(error, lang)))
        else:
            english = redact(error)

            def render(lang: str, message: str = english) -> str:
                return _alert(t("ui.error", lang), message)

        self.errors.append(english)
        self._error_render = render
        self.error.value = render(self.lang)

    def show_errors(self, failures: list[tuple[str, BaseException]]) -> None:
        """Several things refused (one line each, named), in the shopper's language."""
        def render(lang: str) -> str:
            lines = "; ".join(f"{name}: {error_text(error, lang)}" for name, error in failures)
            return _alert(t("ui.error", lang), redact(lines))

        self.errors.extend(redact(f"{name}: {error_text(error, 'en')}") for name, error in failures)
        self._error_render = render
        self.error.value = render(self.lang)

    def show_notice(self, key: str, **values: Any) -> None:
        """An error-area message from the catalogue (e.g. "pick a case first")."""
        self.errors.append(t(key, "en", **values))
        self._error_render = lambda lang: notice_html(t(key, lang, **values))
        self.error.value = self._error_render(self.lang)

    def clear_error(self) -> None:
        self._error_render = None
        self.error.value = ""

    # -- callbacks ---------------------------------------------------------------------------------------
    def safely(self, callback: Callable[..., Any], *, button: w.Button | None = None,
               enabled: Callable[[], bool] | None = None) -> Callable[..., Any]:
        """A callback that reports its failure in the panel instead of vanishing; ``button`` is off while it runs."""

        def run(*args: Any, **kwargs: Any) -> Any:
            if button is not None:
                if button.disabled:
                    return None  # a second click while the first still runs (or nothing to do)
                button.disabled = True
                self.clear_error()  # a new action: the last one's error no longer applies
            try:
                return callback(*args, **kwargs)
            except CasebookError as error:
                self.show_error(error)
            except Exception as error:  # noqa: BLE001 - anything else is a bug, but the shopper must see it
                log.exception("panel callback failed")
                self.show_error(error)
            finally:
                if button is not None:
                    button.disabled = not enabled() if enabled is not None else False
            return None

        return run

    def button(self, key: str, action: Callable[[], Any], *, css: str, style: str = "", icon: str = "",
               enabled: Callable[[], bool] | None = None) -> w.Button:
        """A button labelled from the catalogue whose click runs ``action`` safely, once at a time.

        ``enabled`` says when it can be pressed at all (checked after each run; call ``refresh_button``
        when what it depends on changes).
        """
        button = w.Button(button_style=style, icon=icon, layout=w.Layout(width="auto", max_width="100%"))
        self.labelled(button, "description", key)
        button.add_class(css)
        button.add_class("casebook-button")
        button.on_click(self.safely(lambda _: action(), button=button, enabled=enabled))
        if enabled is not None:
            button.disabled = not enabled()
        return button

    def _ipython_display_(self) -> None:  # pragma: no cover - exercised in notebooks
        from IPython.display import display

        display(self.widget)


def _alert(heading: str, message: str) -> str:
    return (f"<div role='alert' style='color:#cf222e;border:1px solid #cf222e;padding:.4em;border-radius:4px;"
            f"overflow-wrap:anywhere'><b>{html.escape(heading)}</b>: {html.escape(message)}</div>")


def options(members: Any, lang: str) -> list[tuple[str, str]]:
    """Dropdown options for an enum: the label shown, the value kept."""
    from ..i18n import label

    return [(label(member, lang), member.value) for member in members]


class CasePanel(Panel):
    """A step about one case: a picker to choose it (or none, inside the app) and a banner naming it.

    The banner shows the item, the order, the stage and the next deadline, with
    a red alert when a deadline ends within 48 hours (``views.case_banner_html``).
    """

    def __init__(self, book: Casebook, case_id: str | None = None, *, lang: str | None = None,
                 today: Any = None, picker: bool = True) -> None:
        super().__init__(book, lang)
        self.case_id = case_id
        self.today = today
        self.picker = w.Dropdown(layout=w.Layout(width="auto", max_width="100%"))
        self.picker.add_class("casebook-picker")
        self.labelled(self.picker, "description", "ui.case")
        self.banner = w.HTML()
        self.banner.add_class("casebook-banner")
        self._picking = False
        self.picker.observe(self.safely(self._picked), names="value")
        self.header = w.VBox([w.HTML(LAYOUT_STYLE), self.picker, self.banner] if picker else [w.HTML(LAYOUT_STYLE)])
        self.header.add_class("casebook-case-header")
        self.refresh_picker()

    def refresh_picker(self) -> None:
        """The cases as options (``id · item``), with a first option asking to choose; the current case selected."""
        frame = self.book.to_frame()
        good = frame[frame["error"].isna()] if not frame.empty else frame
        choices = [(f"{row.id} · {row.item}", row.id) for row in good.itertuples()]
        self._picking = True
        try:
            self.picker.options = [(self.t("picker.choose"), "")] + choices
            self.picker.value = self.case_id if self.case_id in {c[1] for c in choices} else ""
        finally:
            self._picking = False
        self._banner()

    def _picked(self, change: dict[str, Any]) -> None:
        if self._picking:
            return
        case_id = change["new"] or None
        if case_id != self.case_id:
            self.set_case(case_id)
            if case_id:
                services.remember_case(self.book, case_id)

    def _banner(self) -> None:
        if len(self.picker.options) <= 1:
            self.banner.value = notice_html(self.t("picker.none"))
        elif not self.case_id:
            self.banner.value = notice_html(self.t("picker.pick"))
        else:
            case = self.book.get(self.case_id)
            self.banner.value = case_banner_html(case, services.advise(self.book, self.case_id, today=self.today),
                                                 self.lang)

    def set_case(self, case_id: str | None) -> None:
        """Show ``case_id`` (``None``: no case) in this step."""
        self.case_id = case_id
        self.clear_error()
        self.say(None)
        if self.picker.value != (case_id or ""):
            self._picking = True
            try:
                if case_id and case_id not in {v for _, v in self.picker.options}:
                    self.refresh_picker()
                self.picker.value = case_id or ""
            finally:
                self._picking = False
        self._banner()
        self.refresh()

    def relabel(self) -> None:
        chosen = self.case_id
        self.refresh_picker()
        self.case_id = chosen
        self.refresh()

    def refresh(self) -> None:
        """Subclasses show the case here."""

    def need_case(self) -> bool:
        """True when a case is chosen; otherwise say how to choose one."""
        if self.case_id:
            return True
        self.show_notice("ui.pick_case")
        return False
