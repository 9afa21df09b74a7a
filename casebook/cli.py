"""``casebook``: the command line, a face over ``casebook.services``.

Each command parses its flags, calls one use case and prints the result in
the shopper's language (``--lang``, else ``casebook.toml``, else Korean).
Errors print one line (``casebook: error: ...``) and exit non-zero; no
traceback reaches the shopper. Set ``CASEBOOK_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__, services
from .errors import CasebookError
from .field_errors import ShopperError, error_text
from .i18n import label, t
from .settings import Settings
from .store import Casebook

EXIT_ERROR = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# -- opening the casebook and the settings ------------------------------------------------------------

def _book(args: argparse.Namespace, *, create: bool = False) -> Casebook:
    """The casebook named by -C / $CASEBOOK_PATH / the current folder, with the flags' settings applied."""
    return services.open_casebook(getattr(args, "casebook", None), create=create, default=".",
                                  timezone=getattr(args, "tz", None), language=getattr(args, "lang", None))


def _settings(args: argparse.Namespace) -> Settings:
    """Settings for commands that work without a casebook: the casebook's if we are in one, else defaults."""
    try:
        return _book(args).settings
    except CasebookError:
        return Settings.resolve(None, timezone=getattr(args, "tz", None), language=getattr(args, "lang", None))


def _write(path: Path, data: bytes) -> None:
    from .store import atomic_write_bytes

    if path.is_dir():
        raise ShopperError("cli.is_a_folder", path=str(path))
    atomic_write_bytes(path, data)  # a refusal is a StorageError naming the path once


# -- the casebook and its cases ------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    from .examples import load_examples

    book = services.open_casebook(args.path, create=True, timezone=getattr(args, "tz", None),
                                  language=getattr(args, "lang", None))
    lang = book.settings.language
    _out(t("cli.ready", lang, path=book.path))
    if args.with_examples:
        added = load_examples(book, examples_dir=Path(args.examples) if args.examples else None, replace=args.force)
        _out(t("cli.examples_added", lang, n=len(added), ids=", ".join(added)))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    book = _book(args)
    if args.from_file:
        saved = services.new_case_from_file(book, args.from_file, case_id=args.id)
    else:
        missing = [flag for flag, value in (("--order-id", args.order_id), ("--item", args.item), ("--price", args.price),
                                             ("--order-date", args.order_date), ("--problem", args.problem)) if value is None]
        if missing:
            raise ShopperError("cli.new_needs", missing=", ".join(missing))
        form = {"platform": args.platform, "order_id": args.order_id, "item_title": args.item, "price": args.price,
                "currency": args.currency, "order_date": args.order_date, "ship_date": args.ship_date,
                "promised_date": args.promised_date, "received_date": args.received_date, "problem_kind": args.problem,
                "description": args.description, "tracking_number": args.tracking, "payment_method": args.payment,
                "option": args.option, "store_name": args.store, "quantity": args.quantity,
                "received_quantity": args.received_quantity, "duty_paid": args.duty_paid,
                "tax_included": True if args.tax_included else None, "description_en": args.description_en}
        try:
            saved = services.new_case(book, form, case_id=args.id, today=args.today, keep_number=args.keep_number)
        except services.NumberCheckError as error:
            if len(error.problems) > 1 or not error.suggestion:
                raise
            raise ShopperError("field_error.number_check_cli", number=error.number, suggestion=error.suggestion) from None
    if saved.created:
        _out(saved.case.id)
        return 0
    sys.stderr.write(t("cli.already_logged", book.settings.language, id=saved.case.id) + "\n")
    _out(saved.case.id)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    book = _book(args)
    tax = {True: True, False: False, None: None}[args.tax_included]
    case = services.edit_case(
        book, args.id, item_title=args.item, option=args.option, store_name=args.store, quantity=args.quantity,
        payment_method=args.payment, ship_date=args.ship_date, promised_date=args.promised_date,
        delivery_guarantee_days=args.guarantee_days, received_date=args.received_date, problem_kind=args.problem,
        description=args.description, description_en=args.description_en, tested_how=args.tested_how,
        differences=args.difference, received_quantity=args.received_quantity, duty_paid=args.duty_paid,
        tax_included=tax)
    from .views import case_line

    _out(case_line(case, book.settings.language))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .views import text_table

    book = _book(args)
    lang = book.settings.language
    frame = book.to_frame()
    if args.json:
        _out(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        return 0
    if frame.empty:
        _out(t("cli.no_cases", lang, path=book.path))
        return 0
    good = frame[frame["error"].isna()]
    rows = [(row.id, _label("platform", row.platform, lang), row.order_id, _short(row.item, 40),
             _label("problem_kind", row.problem, lang), _label("dispute_stage", row.stage, lang),
             _amount(row.amount, row.currency, lang), str(row.order_date)) for row in good.itertuples()]
    head = [t(k, lang) for k in ("ui.case", "ui.platform", "ui.order_id", "ui.item", "ui.problem", "ui.stage", "ui.amount",
                                 "ui.order_date")]
    for line in text_table([head, *rows]):
        _out(line)
    broken = frame[frame["error"].notna()]
    for _, row in broken.iterrows():
        try:  # the file again, for its reason in the shopper's language
            book.get(row["id"])
            reason = row["error"]
        except CasebookError as error:
            reason = error_text(error, lang, paths=True)
        _out(t("cli.broken", lang, id=row["id"], error=reason))
    return EXIT_ERROR if len(broken) else 0


def _label(kind: str, value: Any, lang: str) -> str:
    from . import models

    enum = {"platform": models.Platform, "problem_kind": models.ProblemKind, "dispute_stage": models.DisputeStage}[kind]
    try:
        return label(enum(value), lang)
    except ValueError:
        return str(value)


def _amount(amount: Any, currency: Any, lang: str) -> str:
    from decimal import Decimal

    from .i18n import money

    try:
        return money(Decimal(str(amount)), str(currency), lang)
    except ArithmeticError:
        return f"{amount} {currency}"


def _short(text: Any, width: int) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_show(args: argparse.Namespace) -> int:
    from .views import case_line

    book = _book(args)
    lang = book.settings.language
    case = book.get(args.id)
    if args.json:
        _out(case.model_dump_json(indent=2))
        return 0
    _out(case_line(case, lang))
    o = case.order
    for key, value in (("ui.order_date", o.order_date), ("ui.ship_date", o.ship_date), ("ui.promised_date", o.promised_by),
                       ("ui.received_date", o.received_date), ("ui.store_name", o.store_name), ("ui.option", o.option)):
        if value:
            _out(f"  {t(key, lang)}: {value}")
    for s in case.shipments:
        numbers = " / ".join(n for n in (s.tracking_number, s.domestic_number) if n)
        _out(f"  {t('ui.tracking_number', lang)}: {numbers or '-'}")
    _out(f"  {t('report.log', lang)}: {t('report.message_count', lang, n=len(case.messages))}")
    _out(f"  {t('report.evidence', lang)}: {t('report.file_count', lang, n=len(case.evidence))}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .models import Case

    _out(json.dumps(Case.model_json_schema(), indent=2, ensure_ascii=False))
    return 0


# -- tracking ---------------------------------------------------------------------------------------------

def cmd_track_number(args: argparse.Namespace) -> int:
    from .tracking.numbers import extract, parse

    lang = _settings(args).language
    if args.extract:
        text = services.read_text_file(args.extract, "--extract", what="extract")
        found = extract(text)
        for item in found:
            _out(json.dumps(item.parsed.to_dict() | {"line": item.line}, ensure_ascii=False) if args.json
                 else item.parsed.summary(lang))
        if not found and not args.json:
            _out(t("number.none_found", lang))
        return 0
    if not args.numbers:
        raise ShopperError("cli.track_number_needs")
    all_valid = True
    for text in args.numbers:
        parsed = parse(text, prefer_korean=args.korean)
        all_valid &= parsed.valid
        _out(json.dumps(parsed.to_dict(), ensure_ascii=False) if args.json else parsed.summary(lang))
    return 0 if all_valid else 1


def cmd_track(args: argparse.Namespace) -> int:
    if args.undo:
        book = _book(args)
        if args.numbers or args.case or args.all or args.paste:
            raise ShopperError("cli.undo_alone")
        _out(services.undo_tracking(book, args.undo).message(book.settings.language))
        return 0
    paste = None
    if args.paste:
        if args.provider != "offline":
            raise ShopperError("cli.paste_offline")
        paste = services.read_text_file(args.paste, "--paste")
    if args.all:
        book = _book(args)
        reports = services.track_all(book, provider=args.provider, today=args.today, progress=not args.json)
        settings = book.settings
    elif args.case:
        book = _book(args)
        settings = book.settings
        if args.numbers:
            raise ShopperError("cli.case_or_numbers")
        try:
            reports = [services.track(book, args.case, provider=args.provider, paste=paste, today=args.today,
                                      force=args.force)]
        except services.WrongParcelError as error:
            raise ShopperError("wrong_parcel.refused_cli", case_id=error.case_id, found=", ".join(error.found),
                               expected=", ".join(error.expected)) from None
    elif args.numbers:
        settings = _settings(args)
        reports = services.track_numbers(settings, args.numbers, provider=args.provider, paste=paste, today=args.today,
                                         progress=not args.json)
    else:
        raise ShopperError("cli.track_needs")
    lang = settings.language
    failures = 0
    for report in reports:
        failures += report.error is not None
        if args.json:
            _out(json.dumps(_track_json(report), ensure_ascii=False))
            continue
        from .tracking.timeline import status_text

        head = f"{report.number}  {status_text(report.timeline.status, report.result.sub_status)(lang)}"
        _out(head + (f"  [{report.case_id}]" if report.case_id else ""))
        if report.error is not None:
            _out("  " + t("cli.error", lang, message=report.error_text(lang)))
        if report.result.events:
            newest = max(report.result.events, key=lambda e: e.time)
            when = newest.time.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
            _out("  " + t("cli.last_event", lang, when=when, where=newest.location or "", event=newest.description))
        for flag in report.timeline.flags:
            _out(f"  ! {label(flag.severity, lang)}: {flag.text(lang)}")
        for line in report.unread_lines(lang, limit=20):
            sys.stderr.write(line + "\n")
    return 1 if reports and failures == len(reports) else 0


def _track_json(report: services.TrackReport) -> dict[str, Any]:
    result = report.result
    return {
        "number": result.number, "carrier": result.carrier, "status": result.status.value, "sub_status": result.sub_status,
        "case_id": report.case_id, "saved": report.saved,
        "events": [e.model_dump(mode="json") for e in result.events],
        "flags": [f.to_dict() for f in report.timeline.flags],
        "error": None if result.error is None else result.error.model_dump(), "source": result.source,
    }


# -- evidence and advice ----------------------------------------------------------------------------------

def cmd_evidence_add(args: argparse.Namespace) -> int:
    book = _book(args)
    lang = book.settings.language
    result = services.add_evidence(book, args.id, Path(args.file), args.kind, args.caption or "")
    record = result.evidence
    if result.duplicate:
        _out(t("cli.evidence_duplicate", lang, id=record.id, file=record.file))
    else:
        _out(t("cli.evidence_added", lang, id=record.id, file=record.file, mime=record.mime, size=f"{record.size:,}",
               digest=record.sha256[:12]))
    for warning in result.warnings:
        _out(t("cli.warning", lang, text=warning))
    return 0


def cmd_evidence_remove(args: argparse.Namespace) -> int:
    book = _book(args)
    _out(services.remove_evidence(book, args.id, args.evidence_id).message(book.settings.language))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    book = _book(args)
    reports = services.verify(book, args.id)
    for report in reports:
        for line in report.lines():
            _out(line)
    return 0 if all(r.ok for r in reports) else 1


def cmd_deadlines(args: argparse.Namespace) -> int:
    from .playbook import deadlines_ics, next_deadline
    from .views import deadlines_text

    book = _book(args)
    lang = book.settings.language
    items = services.deadlines(book, args.id, today=args.today)
    shown = [d for d in items if d.status.value != "not_applicable"]
    if args.json:
        _out(json.dumps([d.to_dict() for d in shown], ensure_ascii=False, indent=2))
    else:
        for line in deadlines_text(items, lang):
            _out(line)
        upcoming = next_deadline(items)
        if upcoming is not None:
            _out("")
            _out(f"{t('deadline.next', lang)}: {upcoming.describe(lang)}")
    if args.ics:
        _write(Path(args.ics), deadlines_ics(book.get(args.id), items, lang=lang))
        _out(t("cli.calendar", lang, path=args.ics))
    return 0


def cmd_advise(args: argparse.Namespace) -> int:
    from .views import advice_text

    book = _book(args)
    advice = services.advise(book, args.id, today=args.today)
    if args.json:
        _out(json.dumps(advice.to_dict(), ensure_ascii=False, indent=2))
        return 0
    for line in advice_text(advice, book.settings.language):
        _out(line)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    book = _book(args)
    lang = book.settings.language
    output = Path(args.output) if args.output else None
    if args.format == "zip":
        target = services.export_pack(book, args.id, output, today=args.today, show_private=args.show_private,
                                      max_pixels=args.max_pixels)
        import zipfile

        with zipfile.ZipFile(target) as archive:
            count = len(archive.namelist()) - 1
        _out(t("cli.pack_written", lang, path=target, n=count))
        return 0
    if args.format in ("html", "md"):
        text = services.report(book, args.id, args.format, today=args.today, show_private=args.show_private)
    else:
        summary = services.summarise(book, args.id, today=args.today, show_private=args.show_private,
                                     max_chars=args.max_chars)
        text = summary.preview(lang)
        if not summary.fits:
            text += "\n" + t("message.too_long", lang, limit=args.max_chars)
    if output is not None:
        _write(output, text.encode("utf-8"))
        _out(t("cli.written", lang, path=output))
    else:
        _out(text)
    return 0


# -- the case log -------------------------------------------------------------------------------------------

def cmd_message(args: argparse.Namespace) -> int:
    book = _book(args)
    case = services.log_message(book, args.id, args.text, channel=args.channel, counterpart=args.counterpart,
                                direction="received" if args.received else "sent", at=args.at, translation=args.translation)
    _out(t("cli.messages_logged", book.settings.language, id=case.id, n=len(case.messages), seller=len(case.seller_messages())))
    return 0


def cmd_dispute(args: argparse.Namespace) -> int:
    book = _book(args)
    lang = book.settings.language
    changes: dict[str, Any] = {}
    for name, value in (("stage", args.stage), ("opened_date", args.opened), ("requested", args.request),
                        ("requested_amount", args.amount), ("return_shipping_paid_by", args.return_paid_by),
                        ("return_agreed_date", args.return_agreed), ("platform_help", args.platform_help)):
        if value is not None:
            changes[name] = value
    if args.refunded or args.decided or args.decision or args.compensation:
        changes["outcome"] = {"amount_refunded": args.refunded, "decided_date": args.decided, "decision_text": args.decision,
                              "compensation": args.compensation}
    if not changes:
        raise ShopperError("cli.dispute_needs")
    case = services.record_dispute(book, args.id, **changes)
    d = case.dispute
    parts = [label(d.stage, lang)]
    if d.opened_date:
        parts.append(t("cli.opened", lang, date=d.opened_date))
    if d.requested:
        parts.append(t("cli.asking_for", lang, remedy=d.requested))
    _out(t("cli.dispute_stage", lang, id=case.id, stage=", ".join(parts)))
    return 0


# -- batch -----------------------------------------------------------------------------------------------------

def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch, summary_table
    from .batch.kernel import without_iri_grammar

    without_iri_grammar()  # this process is the command's own

    lang = _settings(args).language
    # paths are the user's, relative to where they typed the command (the workers run elsewhere)
    output = Path(args.output).expanduser().absolute()
    given = getattr(args, "casebook", None)
    casebook_path = Path(given).expanduser().absolute() if given else output / "casebook"
    results = run_batch(Path(args.orders), output, casebook_path=casebook_path, workers=args.workers,
                        notebooks_dir=Path(args.notebooks) if args.notebooks else None, progress=True,
                        engine=args.engine, scheduler=args.scheduler, provider=args.provider, timeout=args.timeout,
                        evidence_root=Path(args.evidence_root) if args.evidence_root else None)
    _out(summary_table(results, lang))
    _out(t("cli.done_files", lang, path=output))
    return 0 if all(r.status in ("ok", "skipped") for r in results) else 1


# -- the parser ----------------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse, with its refusals (a missing option, a value not among the choices …) in the shopper's language."""

    argv: list[str] = []  # the command line being parsed (main sets it): its --lang and -C choose the language

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
        lang = _early_lang(self.argv)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {t('cli.error', lang, message=self._worded(message, lang))}\n")

    def format_usage(self) -> str:
        formatter = self._get_formatter()
        formatter.add_usage(self.usage, self._actions, self._mutually_exclusive_groups,
                            prefix=t("cli.usage", _early_lang(self.argv)) + " ")
        return formatter.format_help()

    def _worded(self, message: str, lang: str) -> str:
        import re

        prog = self.prog
        if m := re.match(r"the following arguments are required: (?P<what>.+)$", message):
            return t("cli.missing", lang, what=m["what"], prog=prog)
        if m := re.match(r"unrecognized arguments: (?P<what>.+)$", message):
            return t("cli.unrecognized", lang, what=m["what"], prog=prog)
        if m := re.match(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)$", message):
            return t("cli.ambiguous", lang, option=m["option"], matches=m["matches"])
        m = re.match(r"argument (?P<arg>[^:]+): (?P<rest>.+)$", message)
        if m is None:
            return message
        option, rest = m["arg"].split("/")[0], m["rest"]
        if c := re.match(r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$", rest):
            action = next((a for a in self._actions if option in a.option_strings or a.metavar == option
                           or a.dest == option), None)
            choices = [str(c) for c in (action.choices or [])] if action is not None else []
            shown = ", ".join(_choice_shown(action, c, lang) for c in choices) if choices else c["choices"]
            return t("cli.bad_choice", lang, option=option, value=c["value"], choices=shown)
        if c := re.match(r"invalid (?P<type>int|float) value: (?P<value>.+)$", rest):
            key = "field_error.whole_number" if c["type"] == "int" else "field_error.number"
            return f"{option}: {t(key, lang, value=c['value'])}"
        if rest.startswith("expected one argument"):
            return t("cli.needs_value", lang, option=option)
        return message


# flags whose values are an enum's: shown with their labels ("판매자 채팅 (seller_chat)")
_FLAG_ENUMS = {"channel": "Channel", "stage": "DisputeStage", "request": "Remedy", "return_paid_by": "Payer"}


def _choice_shown(action: argparse.Action | None, value: str, lang: str) -> str:
    from . import models

    name = _FLAG_ENUMS.get(action.dest) if action is not None else None
    if name is None:
        return value
    try:
        return f"{label(getattr(models, name)(value), lang)} ({value})"
    except ValueError:
        return value


def _early_lang(argv: Sequence[str]) -> str:
    """The language of a command line that could not be parsed: its --lang, else its casebook's, else Korean."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
            return chosen if chosen in ("ko", "en") else "ko"
        if arg == "--lang" and i + 1 < len(args) and args[i + 1] in ("ko", "en"):
            return args[i + 1]
    casebook = None
    for i, arg in enumerate(args):
        if arg in ("-C", "--casebook") and i + 1 < len(args):
            casebook = args[i + 1]
        elif arg.startswith("--casebook="):
            casebook = arg.split("=", 1)[1]
    return _lang(argparse.Namespace(casebook=casebook))


def _common() -> argparse.ArgumentParser:
    """Options every command accepts, before or after the command name."""
    common = _Parser(add_help=False)
    common.add_argument("--casebook", "-C", metavar="PATH", default=argparse.SUPPRESS,
                        help="casebook folder (default: $CASEBOOK_PATH or the current folder)")
    common.add_argument("--lang", choices=("ko", "en"), default=argparse.SUPPRESS,
                        help="language of the output (default: casebook.toml's language, else ko)")
    common.add_argument("--tz", metavar="ZONE", default=argparse.SUPPRESS,
                        help="time zone to show dates in (default: casebook.toml's timezone, else Asia/Seoul)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(prog="casebook", parents=[common],
                                     description="Problem orders from overseas marketplaces, end to end.")
    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Handler, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=text, description=text)
        p.set_defaults(handler=handler)
        return p

    p = command("init", cmd_init, "create a casebook folder")
    p.add_argument("path")
    p.add_argument("--with-examples", action="store_true", help="add the guide's five cases A-E (ids seed-a ... seed-e)")
    p.add_argument("--examples", metavar="DIR", help="example cases folder (default: the bundled examples)")
    p.add_argument("--force", action="store_true", help="replace example cases that already exist")

    p = command("new", cmd_new, "log a new problem order")
    p.add_argument("--from", dest="from_file", metavar="FILE", help="JSON or YAML shaped like examples/order.yaml")
    p.add_argument("--id", help="case id (default: date-platform-orderid)")
    p.add_argument("--platform", default="aliexpress")
    p.add_argument("--order-id")
    p.add_argument("--item")
    p.add_argument("--price", help="amount paid: 23900, '23,900원', '₩23,900', '12.50 USD', '$12.50'")
    p.add_argument("--currency", default="KRW", help="currency when --price has none (default KRW)")
    p.add_argument("--order-date", help="YYYY-MM-DD")
    p.add_argument("--ship-date", help="YYYY-MM-DD")
    p.add_argument("--promised-date", help="YYYY-MM-DD")
    p.add_argument("--received-date", help="YYYY-MM-DD")
    p.add_argument("--problem", help="problem kind, e.g. not_received, damaged, wrong_size (see `casebook schema`)")
    p.add_argument("--description")
    p.add_argument("--tracking", help="tracking number (a Korean carrier's number is kept as the domestic number)")
    p.add_argument("--payment", help="how you paid, e.g. card, KakaoPay, PayPal")
    p.add_argument("--option", help="option or size chosen")
    p.add_argument("--store", help="store name")
    p.add_argument("--quantity", type=int, help="how many were ordered (default 1)")
    p.add_argument("--received-quantity", type=int, help="missing items: how many of them arrived")
    p.add_argument("--duty-paid", metavar="AMOUNT", help="duty/VAT paid on delivery, e.g. '12,000원'")
    p.add_argument("--tax-included", action="store_true", help="the listing said taxes and duty were included")
    p.add_argument("--description-en", metavar="TEXT", help="the description in English, for the English message")
    p.add_argument("--keep-number", action="store_true",
                   help="save a tracking number whose check digit does not match, as typed")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="refuse dates after this day (default: today)")

    p = command("edit", cmd_edit, "correct or complete a case (what the advice asks for)")
    p.add_argument("id")
    p.add_argument("--item")
    p.add_argument("--option")
    p.add_argument("--store")
    p.add_argument("--quantity", type=int)
    p.add_argument("--payment", help="how you paid, e.g. card, KakaoPay, PayPal")
    p.add_argument("--ship-date", metavar="YYYY-MM-DD")
    p.add_argument("--promised-date", metavar="YYYY-MM-DD", help="the promised delivery date on the order page")
    p.add_argument("--guarantee-days", type=int, help="or the 'delivered within N days' promise")
    p.add_argument("--received-date", metavar="YYYY-MM-DD")
    p.add_argument("--problem", help="problem kind, e.g. not_received, damaged (see `casebook schema`)")
    p.add_argument("--description")
    p.add_argument("--description-en", metavar="TEXT", help="the description in English, for the English message")
    p.add_argument("--tested-how", metavar="TEXT", help="for a defect: how you tested it")
    p.add_argument("--difference", action="append", metavar="TEXT",
                   help="for a mismatch: one difference between the listing and the item (repeat for each; replaces the list)")
    p.add_argument("--received-quantity", type=int, help="missing items: how many arrived")
    p.add_argument("--duty-paid", metavar="AMOUNT", help="duty/VAT paid on delivery, e.g. '12,000원'")
    p.add_argument("--tax-included", action=argparse.BooleanOptionalAction, default=None,
                   help="the listing said taxes and duty were included")

    p = command("list", cmd_list, "list the cases")
    p.add_argument("--json", action="store_true")

    p = command("show", cmd_show, "show one case")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")

    command("schema", cmd_schema, "print the JSON schema of a case")

    p = command("track-number", cmd_track_number, "recognise, validate and correct tracking numbers (offline)")
    p.add_argument("numbers", nargs="*", metavar="NUMBER")
    p.add_argument("--extract", metavar="FILE", help="find every tracking number in a text file")
    p.add_argument("--json", action="store_true", help="one JSON object per number")
    p.add_argument("--korean", action="store_true", help="rank Korean domestic carriers first (domestic numbers)")

    p = command("track", cmd_track, "check tracking (offline paste, 17TRACK or UNI-PASS) and flag trouble")
    p.add_argument("numbers", nargs="*", metavar="NUMBER")
    p.add_argument("--provider", choices=("offline", "17track", "unipass"), default="offline")
    p.add_argument("--paste", metavar="FILE", help="text copied from the tracking page (offline provider)")
    p.add_argument("--case", metavar="ID", help="track this case's number and save the result in it")
    p.add_argument("--all", action="store_true", help="every case in the casebook")
    p.add_argument("--json", action="store_true", help="one JSON object per number")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="judge staleness as of this day (default: now)")
    p.add_argument("--force", action="store_true",
                   help="import a pasted page even though it names another tracking number (you checked it is this parcel)")
    p.add_argument("--undo", metavar="ID", help="take the last tracking import out of case ID (kept in .trash/)")

    p = command("evidence", _no_action, "evidence files of a case")
    evidence_sub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    a = evidence_sub.add_parser("add", parents=[common], help="copy a file into the case as evidence")
    a.add_argument("id")
    a.add_argument("file")
    a.add_argument("--kind", required=True, help="e.g. defect_photo, unboxing_video, size_photo, chat_screenshot")
    a.add_argument("--caption", default="")
    a.set_defaults(handler=cmd_evidence_add)
    r = evidence_sub.add_parser("remove", parents=[common],
                                help="take an evidence item out of the case (its file moves to the casebook's .trash/)")
    r.add_argument("id")
    r.add_argument("evidence_id", metavar="EID", help="the evidence id, e.g. E02 (`casebook show ID --json` lists them)")
    r.set_defaults(handler=cmd_evidence_remove)

    p = command("verify", cmd_verify, "check evidence files against their recorded hashes (changes nothing)")
    p.add_argument("id", nargs="?")

    for name, handler, text in (("deadlines", cmd_deadlines, "dated deadlines for a case"),
                                ("advise", cmd_advise, "readiness, next steps, what to ask for, escalation")):
        p = command(name, handler, text)
        p.add_argument("id")
        p.add_argument("--json", action="store_true")
        p.add_argument("--today", metavar="YYYY-MM-DD", help="evaluate as of this day (default: now)")
        if name == "deadlines":
            p.add_argument("--ics", metavar="FILE", help="also write an iCalendar file")

    p = command("summary", cmd_summary, "the dispute message, report or pack for a case")
    p.add_argument("id")
    p.add_argument("--format", choices=("txt", "md", "html", "zip"), default="txt")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (zip: a file or a folder; default ID-dispute-pack.zip)")
    p.add_argument("--show-private", action="store_true", help="do not mask phone, address and customs code")
    p.add_argument("--max-chars", type=int, help="shorten lists (never facts) to fit this many characters")
    p.add_argument("--max-pixels", type=int, help="downscale pack images to this longest side")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="evaluate as of this day (default: now)")

    p = command("message", cmd_message, "log a message or call exchanged with the seller, the platform, the carrier …")
    p.add_argument("id")
    p.add_argument("--text", required=True)
    p.add_argument("--received", action="store_true", help="a message you received (default: one you sent)")
    p.add_argument("--channel", default="seller_chat", choices=("seller_chat", "platform_support", "email", "phone", "other"))
    p.add_argument("--with", dest="counterpart", choices=("seller", "platform", "carrier", "customs", "other"),
                   help="who it was with (default: from the channel: seller_chat, email, phone -> seller; "
                        "platform_support -> platform), e.g. --channel phone --with carrier")
    p.add_argument("--at", help="when, ISO with offset, e.g. 2026-03-16T20:15+09:00 (default: now)")
    p.add_argument("--translation")

    p = command("dispute", cmd_dispute, "record the dispute's progress (stage, dates, request, outcome)")
    p.add_argument("id")
    p.add_argument("--stage", choices=("not_opened", "opened", "negotiating", "mediation", "decided", "appealed",
                                       "refund_paid", "closed"))
    p.add_argument("--opened", metavar="YYYY-MM-DD")
    p.add_argument("--request", choices=("full_refund", "partial_refund", "return_and_refund", "resend"))
    p.add_argument("--amount", metavar="'8000 KRW'", help="the partial refund asked for (KRW when no currency is given)")
    p.add_argument("--return-paid-by", choices=("seller", "buyer"))
    p.add_argument("--return-agreed", metavar="YYYY-MM-DD")
    p.add_argument("--platform-help", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--refunded", metavar="'38500 KRW'")
    p.add_argument("--decided", metavar="YYYY-MM-DD")
    p.add_argument("--decision", metavar="TEXT")
    p.add_argument("--compensation", metavar="'3000 KRW'", help="paid on top of the refund (a coupon, credit)")

    p = command("batch", cmd_batch, "run the four step notebooks for every row of an orders CSV (papermill)")
    p.add_argument("orders", help="CSV with columns order_id, item_title, price, order_date, problem_kind, ...")
    p.add_argument("--output", "-o", required=True, help="folder for executed notebooks and results (resumable)")
    p.add_argument("--workers", type=int, default=2, help="parallel workers, each with one kernel (default 2)")
    p.add_argument("--notebooks", metavar="DIR", help="the notebooks folder (default: the bundled notebooks)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: one kernel per worker (default), or dask.distributed (pip install 'casebook[dask]')")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running scheduler (tcp://host:8786); default: a LocalCluster in this process")
    p.add_argument("--provider", choices=("offline", "17track", "unipass"), default="offline",
                   help="tracking for rows without a paste_file: fetched once for the whole batch (rate-limited)")
    p.add_argument("--evidence-root", metavar="DIR",
                   help="folder the CSV's evidence and paste files must lie in (default: the CSV's folder)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="longest a notebook cell may run; a hung order fails and its kernel is restarted (default 300)")
    return parser


def _no_action(args: argparse.Namespace) -> int:  # pragma: no cover - argparse requires the sub-action
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    target = os.environ.get("CASEBOOK_LOG")
    if target:
        from .config import install_log_file

        install_log_file(target)
    parser = build_parser()
    _Parser.argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except CasebookError as error:
        if os.environ.get("CASEBOOK_DEBUG"):
            raise
        lang = _lang(args)
        return _fail(error_text(error, lang, paths=True), lang)
    except BrokenPipeError:
        # `casebook list | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        if os.environ.get("CASEBOOK_DEBUG"):
            raise
        where = f"{error.filename}: " if error.filename else ""
        return _fail(f"{where}{error.strerror or error}", _lang(args))
    except KeyboardInterrupt:
        sys.stderr.write(f"casebook: {t('cli.interrupted', _lang(args))}\n")
        return 130


def _lang(args: argparse.Namespace) -> str:
    """The language errors are told in: --lang, else the casebook's (casebook.toml, environment), else Korean."""
    chosen = getattr(args, "lang", None)
    if chosen:
        return chosen
    try:
        return Settings.resolve(services.casebook_path(getattr(args, "casebook", None), default=".")).language
    except Exception:  # noqa: BLE001 - a broken casebook.toml is itself the error being reported
        return "ko"


def _fail(message: str, lang: str) -> int:
    """One line on stderr: ``casebook: error: …`` (``casebook: 오류: …`` in Korean), secrets redacted."""
    from .config import redact

    sys.stderr.write(f"casebook: {t('cli.error', lang, message=' '.join(redact(message).split()))}\n")
    return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
