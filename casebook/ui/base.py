"""What every panel shares: a language, a visible error area, and safe callbacks.

ipywidgets swallows exceptions raised in button callbacks (they go to a log
the shopper never sees). ``Panel.safely`` wraps every callback: the error is
shown in the panel, kept in ``panel.errors`` for tests, and logged.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..config import redact
from ..errors import CasebookError
from ..i18n import t

log = logging.getLogger("casebook.ui")


class Panel:
    """A step of the guided flow: ``panel.widget`` is what a notebook displays."""

    title_key = ""

    def __init__(self, lang: str = "ko") -> None:
        self.lang = lang
        self.errors: list[str] = []
        self.error = w.HTML(layout=w.Layout(min_height="0"))
        self.error.add_class("casebook-error")
        self.status = w.HTML()
        self.status.add_class("casebook-status")
        self.widget: w.Box = w.VBox()

    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def show_error(self, message: str) -> None:
        message = redact(message)
        self.errors.append(message)
        self.error.value = (f"<div style='color:#cf222e;border:1px solid #cf222e;padding:.4em;border-radius:4px'>"
                            f"<b>{html.escape(self.t('ui.error'))}</b>: {html.escape(message)}</div>")

    def clear_error(self) -> None:
        self.error.value = ""

    def safely(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """A callback that reports its failure in the panel instead of vanishing."""

        def run(*args: Any, **kwargs: Any) -> Any:
            self.clear_error()
            try:
                return callback(*args, **kwargs)
            except CasebookError as error:
                self.show_error(str(error))
            except Exception as error:  # noqa: BLE001 - anything else is a bug, but the shopper must see it
                log.exception("panel callback failed")
                self.show_error(f"{type(error).__name__}: {error}")
            return None

        return run

    def _ipython_display_(self) -> None:  # pragma: no cover - exercised in notebooks
        from IPython.display import display

        display(self.widget)


def html_table(rows: list[tuple[str, str]], *, escape: bool = True) -> str:
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k) if escape else k}</th>"
        f"<td style='text-align:left'>{html.escape(v) if escape else v}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"
