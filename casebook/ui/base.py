"""What every panel shares: the casebook, a language, a visible error area, and safe callbacks.

ipywidgets swallows exceptions raised in button callbacks (they go to a log
the shopper never sees). ``Panel.safely`` wraps every callback: the error is
shown in the panel, kept in ``panel.errors`` for tests, and logged. While a
callback runs, its button is disabled, so a double click does the work once.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..config import redact
from ..errors import CaseInputError, CasebookError
from ..i18n import t
from ..store import Casebook

log = logging.getLogger("casebook.ui")


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

    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def set_lang(self, lang: str) -> None:
        """Relabel every control and re-render what is shown, in ``lang``."""
        self.lang = lang
        self.clear_error()
        self.relabel()

    def relabel(self) -> None:
        """Subclasses put their labels (and refreshed views) here."""

    def show_error(self, message: str) -> None:
        message = redact(message)
        self.errors.append(message)
        self.error.value = (f"<div role='alert' style='color:#cf222e;border:1px solid #cf222e;padding:.4em;border-radius:4px'>"
                            f"<b>{html.escape(self.t('ui.error'))}</b>: {html.escape(message)}</div>")

    def clear_error(self) -> None:
        self.error.value = ""

    def safely(self, callback: Callable[..., Any], *, button: w.Button | None = None) -> Callable[..., Any]:
        """A callback that reports its failure in the panel instead of vanishing; ``button`` is off while it runs."""

        def run(*args: Any, **kwargs: Any) -> Any:
            if button is not None:
                if button.disabled:
                    return None  # a second click while the first still runs
                button.disabled = True
            self.clear_error()
            try:
                return callback(*args, **kwargs)
            except CaseInputError as error:
                self.show_error(str(error))
            except CasebookError as error:
                self.show_error(str(error))
            except Exception as error:  # noqa: BLE001 - anything else is a bug, but the shopper must see it
                log.exception("panel callback failed")
                self.show_error(f"{type(error).__name__}: {error}")
            finally:
                if button is not None:
                    button.disabled = False
            return None

        return run

    def button(self, key: str, action: Callable[[], Any], *, css: str, style: str = "", icon: str = "") -> w.Button:
        """A button labelled from the catalogue whose click runs ``action`` safely, once at a time."""
        button = w.Button(description=self.t(key), button_style=style, icon=icon, layout=w.Layout(width="auto"))
        button.add_class(css)
        button.on_click(self.safely(lambda _: action(), button=button))
        return button

    def _ipython_display_(self) -> None:  # pragma: no cover - exercised in notebooks
        from IPython.display import display

        display(self.widget)


def options(members: Any, lang: str) -> list[tuple[str, str]]:
    """Dropdown options for an enum: the label shown, the value kept."""
    from ..i18n import label

    return [(label(member, lang), member.value) for member in members]
