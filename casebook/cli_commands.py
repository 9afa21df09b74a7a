"""Sub-commands contributed by the tracking, evidence, playbook and summary layers.

Each ``add_*`` function registers its parser; handlers stay thin over the
package's pure functions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import CasebookError


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# -- tracking numbers ---------------------------------------------------------------

def cmd_track_number(args: argparse.Namespace) -> int:
    from .tracking.numbers import extract, parse

    lang = args.lang
    if args.extract:
        try:
            text = Path(args.extract).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CasebookError(f"--extract: cannot read {args.extract} ({error})") from None
        found = extract(text)
        for item in found:
            if args.json:
                _out(json.dumps(item.parsed.to_dict() | {"line": item.line}, ensure_ascii=False))
            else:
                _out(item.parsed.summary(lang))
        if not found and not args.json:
            _out("no tracking numbers found" if lang == "en" else "운송장 번호를 찾지 못했습니다")
        return 0
    if not args.numbers:
        raise CasebookError("track-number: give one or more numbers, or --extract FILE")
    all_valid = True
    for text in args.numbers:
        parsed = parse(text, prefer_korean=args.korean)
        all_valid &= parsed.valid
        _out(json.dumps(parsed.to_dict(), ensure_ascii=False) if args.json else parsed.summary(lang))
    return 0 if all_valid else 1


def add_track_number(sub: Any) -> None:
    p = sub.add_parser("track-number", help="recognise, validate and correct tracking numbers (offline)")
    p.add_argument("numbers", nargs="*", metavar="NUMBER")
    p.add_argument("--extract", metavar="FILE", help="find every tracking number in a text file")
    p.add_argument("--json", action="store_true", help="one JSON object per number")
    p.add_argument("--lang", choices=("en", "ko"), default="en")
    p.add_argument("--korean", action="store_true", help="rank Korean domestic carriers first (domestic numbers)")
    p.set_defaults(handler=cmd_track_number)


# -- evidence and playbook -------------------------------------------------------------

def _book(args: argparse.Namespace) -> Any:
    from .cli import _open_book

    book = _open_book(args)
    _apply_settings(args, book)
    return book


def _apply_settings(args: argparse.Namespace, book: Any) -> None:
    """Fill --tz/--lang left unset from the casebook's [casebook] settings (flags win)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .store import load_config

    settings = load_config(book).get("casebook", {}) if book is not None else {}
    if hasattr(args, "tz") and args.tz is None:
        args.tz = settings.get("timezone", "Asia/Seoul")
    if hasattr(args, "lang") and args.lang is None:
        args.lang = settings.get("language", "ko")
    if getattr(args, "lang", "ko") not in ("ko", "en"):
        raise CasebookError(f"language {args.lang!r} in casebook.toml: use \"ko\" or \"en\"")
    if hasattr(args, "tz"):
        try:
            ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise CasebookError(f"time zone {args.tz!r}: use an IANA name such as Asia/Seoul or America/Los_Angeles") from None


def _book_if_here(args: argparse.Namespace) -> Any:
    """The casebook if we are in one (for its settings and secrets), else None."""
    from .cli import _open_book

    try:
        book = _open_book(args)
    except CasebookError:
        book = None
    _apply_settings(args, book)
    return book


def _now(args: argparse.Namespace) -> Any:
    from .errors import CaseInputError
    from .models import as_of, utc_now

    try:
        return as_of(getattr(args, "today", None), args.tz) or utc_now()
    except CaseInputError:
        raise CasebookError(f"--today: {args.today!r} is not a date; use YYYY-MM-DD") from None


def cmd_evidence_add(args: argparse.Namespace) -> int:
    from .evidence import add_evidence

    book = _book(args)
    case = book.get(args.id)
    result = add_evidence(book, case, Path(args.file), args.kind, args.caption or "")
    record = result.evidence
    if result.duplicate:
        _out(f"already kept as {record.id} ({record.file}); not stored twice")
    else:
        _out(f"added {record.id}: {record.file} ({record.mime}, {record.size:,} bytes, sha256 {record.sha256[:12]}…)")
    for warning in result.warnings:
        _out(f"warning: {warning}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .evidence import verify

    book = _book(args)
    ids = [args.id] if args.id else book.ids()
    problems = 0
    for case_id in ids:
        case = book.get(case_id)
        issues = verify(book, case)
        problems += len(issues)
        if not issues:
            _out(f"{case_id}: OK ({len(case.evidence)} file(s) verified)")
        for issue in issues:
            _out(f"{case_id}: {issue}")
    return 1 if problems else 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    from .playbook import Rules, deadlines, deadlines_ics, next_deadline

    book = _book(args)
    case = book.get(args.id)
    items = deadlines(case, now=_now(args), tz=args.tz, rules=Rules.for_casebook(book))
    shown = [d for d in items if d.status != "not_applicable"]
    if args.json:
        _out(json.dumps([_deadline_json(d) for d in shown], ensure_ascii=False, indent=2))
    else:
        for item in shown:
            _out(("  " if item.status != "upcoming" else "▶ ") + item.describe(args.lang))
        upcoming = next_deadline(items)
        if upcoming is not None:
            _out("")
            _out(("다음 기한: " if args.lang == "ko" else "Next deadline: ") + upcoming.describe(args.lang))
    if args.ics:
        from .store import atomic_write_bytes

        atomic_write_bytes(Path(args.ics), deadlines_ics(case, items, lang=args.lang))
        _out(f"calendar written: {args.ics}")
    return 0


def _deadline_json(item: Any) -> dict[str, Any]:
    return {
        "key": item.key, "en": item.en, "ko": item.ko, "status": item.status,
        "day": item.day.isoformat() if item.day else None,
        "due": item.due.isoformat() if item.due else None,
        "due_local": item.due_local.isoformat() if item.due_local else None,
        "days_left": item.days_left, "missing": item.missing, "source": item.source,
    }


def cmd_advise(args: argparse.Namespace) -> int:
    from .playbook import Rules, advise

    book = _book(args)
    case = book.get(args.id)
    advice = advise(case, now=_now(args), tz=args.tz, rules=Rules.for_casebook(book))
    if args.json:
        _out(json.dumps(advice.to_dict(), ensure_ascii=False, indent=2, default=str))
        return 0
    ko = args.lang == "ko"
    _out(f"{case.id}: {'준비도' if ko else 'readiness'} {advice.score}/100 · "
         f"{('준비됨' if advice.ready else '준비 안 됨') if ko else ('READY' if advice.ready else 'NOT READY')}")
    for check in advice.checks:
        _out(f"  {'✓' if check.ok else '✗'} {check.text(args.lang)}")
    _out(("다음 할 일:" if ko else "Next steps:"))
    for n, step in enumerate(advice.steps(args.lang), start=1):
        _out(f"  {n}. {step}")
    refund = advice.refund_type
    _out(("요청할 것: " if ko else "Ask for: ") + f"{advice.remedy} ({refund}); "
         + ("예상 기간 " if ko else "expected ") + f"{advice.expected_days[0]}-{advice.expected_days[1]}" + ("일" if ko else " days"))
    if advice.next_deadline is not None:
        _out(("다음 기한: " if ko else "Next deadline: ") + advice.next_deadline.describe(args.lang))
    _out("에스컬레이션:" if ko else "Escalation:")
    for rung in advice.ladder:
        if rung.applies:
            marker = "▶" if rung.current else "-"
            _out(f"  {marker} {rung.ko if ko else rung.en}: {rung.when_ko if ko else rung.when_en}")
    return 0


def add_playbook(sub: Any) -> None:
    p = sub.add_parser("evidence", help="evidence files of a case")
    evidence_sub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    a = evidence_sub.add_parser("add", help="copy a file into the case as evidence")
    a.add_argument("id")
    a.add_argument("file")
    a.add_argument("--kind", required=True, help="e.g. defect_photo, unboxing_video, size_photo, chat_screenshot")
    a.add_argument("--caption", default="")
    a.set_defaults(handler=cmd_evidence_add)

    p = sub.add_parser("verify", help="check evidence files against their recorded hashes (changes nothing)")
    p.add_argument("id", nargs="?")
    p.set_defaults(handler=cmd_verify)

    for name, handler, text in (("deadlines", cmd_deadlines, "dated deadlines for a case"),
                                ("advise", cmd_advise, "readiness, next steps, what to ask for, escalation")):
        p = sub.add_parser(name, help=text)
        p.add_argument("id")
        p.add_argument("--lang", choices=("ko", "en"), help="default: casebook.toml's language, else ko")
        p.add_argument("--json", action="store_true")
        p.add_argument("--tz", help="time zone to show dates in (default: casebook.toml's timezone, else Asia/Seoul)")
        p.add_argument("--today", metavar="YYYY-MM-DD", help="evaluate as of this day (default: now)")
        if name == "deadlines":
            p.add_argument("--ics", metavar="FILE", help="also write an iCalendar file")
        p.set_defaults(handler=handler)


# -- tracking ------------------------------------------------------------------------------

def _result_json(result: Any, flags: list[Any]) -> dict[str, Any]:
    return {
        "number": result.number, "carrier": result.carrier, "status": result.status.value, "sub_status": result.sub_status,
        "events": [e.model_dump(mode="json") for e in result.events],
        "flags": [{"key": f.key, "severity": f.severity, "en": f.en, "ko": f.ko} for f in flags],
        "error": None if result.error is None else result.error.model_dump(), "source": result.source,
    }


def cmd_track(args: argparse.Namespace) -> int:
    from .tracking.numbers import normalise
    from .playbook import Rules
    from .tracking.service import get_provider, save_result, saved_result, track_many
    from .tracking.timeline import analyse

    book = _book(args) if (args.case or args.all or args.casebook) else _book_if_here(args)
    cases: dict[str, Any] = {}
    numbers = [normalise(n) for n in args.numbers]
    if args.all:
        for case in book:
            cases.update({s.tracking_number: case for s in case.shipments if s.tracking_number})
        numbers = list(cases)
    elif args.case:
        case = book.get(args.case)
        numbers = numbers or [s.tracking_number for s in case.shipments if s.tracking_number]
        cases.update({n: case for n in numbers})
    if not numbers:
        raise CasebookError("track: give numbers, --case ID (uses its tracking numbers) or --all")
    pastes: dict[str, str] = {}
    if args.paste:
        if args.provider != "offline":
            raise CasebookError("--paste goes with --provider offline (the pasted page is the tracking source)")
        if len(numbers) != 1:
            raise CasebookError(f"--paste is the page of one parcel; it would apply to {len(numbers)} numbers: "
                                "give exactly one NUMBER, or a --case with one tracking number")
        try:
            pastes[numbers[0]] = Path(args.paste).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CasebookError(f"--paste: cannot read {args.paste} ({type(error).__name__})") from None
    provider = get_provider(args.provider, book=book, pastes=pastes)
    limits = Rules.for_casebook(book).timeline if book is not None else None
    results = track_many(numbers, provider, progress=not args.json)
    failures = 0
    now = _now(args)
    for result in results:
        case = cases.get(result.number)
        if case is not None and result.error is not None and result.error.code == "no_data":
            result = saved_result(case, result.number) or result  # offline, no paste: read what the case has
        elif case is not None and result.ok and book is not None:
            case = save_result(book, case.id, result)
        timeline = analyse(result.events, order=case.order if case else None, problem=case.problem.kind if case else None,
                           now=now, status=result.status, sub_status=result.sub_status, limits=limits)
        failures += result.error is not None
        if args.json:
            _out(json.dumps(_result_json(result, timeline.flags), ensure_ascii=False))
            continue
        head = f"{result.number}  {result.status.value}" + (f" ({result.sub_status})" if result.sub_status else "")
        _out(head + (f"  [{case.id}]" if case else ""))
        if result.error is not None:
            _out(f"  error: {result.error.message}")
        if result.events:
            newest = result.events[0]
            _out(f"  last: {newest.time.isoformat(timespec='minutes')} {newest.location or ''} {newest.description}".rstrip())
        for flag in timeline.flags:
            _out(f"  ! {flag.text(args.lang)}")
    problems = getattr(provider, "problems", {})
    for number, lines in problems.items():
        for line_no, line, why in lines:
            sys.stderr.write(f"paste line {line_no} not read ({why}): {line}\n")
    return 1 if failures == len(results) else 0


def add_track(sub: Any) -> None:
    p = sub.add_parser("track", help="check tracking (offline paste, 17TRACK or UNI-PASS) and flag trouble")
    p.add_argument("numbers", nargs="*", metavar="NUMBER")
    p.add_argument("--provider", choices=("offline", "17track", "unipass"), default="offline")
    p.add_argument("--paste", metavar="FILE", help="text copied from the tracking page (offline provider)")
    p.add_argument("--case", metavar="ID", help="save the snapshot into this case")
    p.add_argument("--all", action="store_true", help="every case in the casebook")
    p.add_argument("--json", action="store_true", help="one JSON object per number")
    p.add_argument("--lang", choices=("ko", "en"), help="default: casebook.toml's language, else ko")
    p.add_argument("--tz", help="default: casebook.toml's timezone, else Asia/Seoul")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="judge staleness as of this day (default: now)")
    p.set_defaults(handler=cmd_track)


# -- summary ---------------------------------------------------------------------------

def cmd_summary(args: argparse.Namespace) -> int:
    from .playbook import Rules
    from .store import atomic_write_bytes
    from .summary import build_pack, report_html, report_markdown, summarise

    book = _book(args)
    case = book.get(args.id)
    rules = Rules.for_casebook(book)
    now = _now(args)
    private = args.show_private
    output = Path(args.output) if args.output else None
    if args.format == "zip":
        target = output or Path(f"dispute-pack-{case.id}.zip")
        manifest = build_pack(book, case, target, now=now, tz=args.tz, show_private=private, rules=rules,
                              max_pixels=args.max_pixels)
        _out(f"dispute pack written: {target} ({len(manifest['files'])} files + manifest.json)")
        return 0
    if args.format == "html":
        text = report_html(case, book=book, now=now, tz=args.tz, show_private=private, rules=rules)
    elif args.format == "md":
        text = report_markdown(case, now=now, tz=args.tz, show_private=private, rules=rules)
    else:
        summary = summarise(case, now=now, tz=args.tz, show_private=private, rules=rules, max_chars=args.max_chars)
        lines = []
        if not summary.ready:
            reasons = summary.reasons_ko if args.lang == "ko" else summary.reasons_en
            lines.append(("준비 안 됨: " if args.lang == "ko" else "NOT READY: ") + " ".join(reasons))
            if summary.seller_message:
                lines.append("먼저 판매자에게 이 메시지를 보내세요:" if args.lang == "ko" else "Send this to the seller first:")
                lines += ["", summary.seller_message, "-" * 60, ""]
        lines.append(summary.text(args.lang))
        if not summary.fits:
            lines.append(f"(warning: even the shortest form is longer than {args.max_chars} characters)")
        text = "\n".join(lines)
    if output is not None:
        atomic_write_bytes(output, text.encode("utf-8"))
        _out(f"written: {output}")
    else:
        _out(text)
    return 0


def add_summary(sub: Any) -> None:
    p = sub.add_parser("summary", help="the dispute message, report or pack for a case")
    p.add_argument("id")
    p.add_argument("--format", choices=("txt", "md", "html", "zip"), default="txt")
    p.add_argument("--lang", choices=("en", "ko"), default="en", help="message language (txt)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (zip default: dispute-pack-ID.zip)")
    p.add_argument("--show-private", action="store_true", help="do not mask phone, address and customs code")
    p.add_argument("--max-chars", type=int, help="shorten lists (never facts) to fit this many characters")
    p.add_argument("--max-pixels", type=int, help="downscale pack images to this longest side")
    p.add_argument("--tz", help="default: casebook.toml's timezone, else Asia/Seoul")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="evaluate as of this day (default: now)")
    p.set_defaults(handler=cmd_summary)


# -- the case log: messages and dispute progress -----------------------------------------

def _money(text: str | None, flag: str) -> dict[str, str] | None:
    from .currencies import split_amount

    if text is None:
        return None
    amount, currency = split_amount(text)
    if not currency:
        raise CasebookError(f"{flag}: give the amount with its currency, e.g. '8000 KRW' or '4.50 USD'")
    return {"amount": amount, "currency": currency}


def cmd_message(args: argparse.Namespace) -> int:
    from .caselog import add_message

    book = _book(args)
    case = add_message(book, args.id, text=args.text, channel=args.channel,
                       direction="received" if args.received else "sent", at=args.at, translation=args.translation)
    _out(f"{case.id}: {len(case.messages)} message(s) logged ({len(case.seller_messages())} with the seller)")
    return 0


def cmd_dispute(args: argparse.Namespace) -> int:
    from .caselog import update_dispute

    changes: dict[str, Any] = {}
    for field, value in (("stage", args.stage), ("opened_date", args.opened), ("requested", args.request),
                         ("requested_amount", _money(args.amount, "--amount")),
                         ("return_shipping_paid_by", args.return_paid_by), ("return_agreed_date", args.return_agreed),
                         ("platform_help", args.platform_help)):
        if value is not None:
            changes[field] = value
    if args.refunded or args.decided or args.decision:
        changes["outcome"] = {"amount_refunded": _money(args.refunded, "--refunded"), "decided_date": args.decided,
                              "decision_text": args.decision}
    if not changes:
        raise CasebookError("dispute: nothing to change; give --stage, --opened, --request, --amount, --refunded …")
    case = update_dispute(_book(args), args.id, **changes)
    d = case.dispute
    _out(f"{case.id}: stage {d.stage.value}" + (f", opened {d.opened_date}" if d.opened_date else "")
         + (f", asking for {d.requested.value}" if d.requested else ""))
    return 0


def add_caselog(sub: Any) -> None:
    p = sub.add_parser("message", help="log a message exchanged with the seller or the platform")
    p.add_argument("id")
    p.add_argument("--text", required=True)
    p.add_argument("--received", action="store_true", help="a message you received (default: one you sent)")
    p.add_argument("--channel", default="seller_chat", choices=("seller_chat", "platform_support", "email", "phone", "other"))
    p.add_argument("--at", help="when, ISO with offset, e.g. 2026-03-16T20:15+09:00 (default: now)")
    p.add_argument("--translation")
    p.set_defaults(handler=cmd_message)

    p = sub.add_parser("dispute", help="record the dispute's progress (stage, dates, request, outcome)")
    p.add_argument("id")
    p.add_argument("--stage", choices=("not_opened", "opened", "negotiating", "mediation", "decided", "appealed",
                                       "refund_paid", "closed"))
    p.add_argument("--opened", metavar="YYYY-MM-DD")
    p.add_argument("--request", choices=("full_refund", "partial_refund", "return_and_refund", "resend"))
    p.add_argument("--amount", metavar="'8000 KRW'", help="the partial refund asked for")
    p.add_argument("--return-paid-by", choices=("seller", "buyer"))
    p.add_argument("--return-agreed", metavar="YYYY-MM-DD")
    p.add_argument("--platform-help", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--refunded", metavar="'38500 KRW'")
    p.add_argument("--decided", metavar="YYYY-MM-DD")
    p.add_argument("--decision", metavar="TEXT")
    p.set_defaults(handler=cmd_dispute)


# -- batch ------------------------------------------------------------------------------

def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch, summary_table

    # paths are the user's, relative to where they typed the command (the workers run elsewhere)
    output = Path(args.output).expanduser().absolute()
    casebook_path = Path(args.casebook).expanduser().absolute() if args.casebook else output / "casebook"
    results = run_batch(Path(args.orders), output, casebook_path=casebook_path, workers=args.workers,
                        notebooks_dir=Path(args.notebooks) if args.notebooks else None, progress=True,
                        engine=args.engine, scheduler=args.scheduler, provider=args.provider, timeout=args.timeout)
    _out(summary_table(results))
    _out(f"executed notebooks and summaries: {output} (summary.csv lists every row)")
    return 0 if all(r.status in ("ok", "skipped") for r in results) else 1


def add_batch(sub: Any) -> None:
    p = sub.add_parser("batch", help="run the four step notebooks for every row of an orders CSV (papermill)")
    p.add_argument("orders", help="CSV with columns order_id, item_title, price, order_date, problem_kind, ...")
    p.add_argument("--output", "-o", required=True, help="folder for executed notebooks and results (resumable)")
    p.add_argument("--workers", type=int, default=2, help="parallel workers, each with one kernel (default 2)")
    p.add_argument("--notebooks", metavar="DIR", help="the notebooks folder (default: the bundled notebooks/)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local worker processes (default) or dask.distributed (pip install 'casebook[dask]')")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running scheduler (tcp://host:8786); default: a LocalCluster")
    p.add_argument("--provider", choices=("offline", "17track", "unipass"), default="offline",
                   help="tracking for rows without a paste_file: fetched once for the whole batch (rate-limited)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="longest a notebook cell may run; a hung order fails and its kernel is restarted (default 300)")
    p.set_defaults(handler=cmd_batch)


REGISTER: list[Callable[[Any], None]] = [add_track_number, add_track, add_playbook, add_caselog, add_summary, add_batch]
