"""``casebook``: the command line over the package's pure functions.

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
from typing import Any

from . import __version__
from .errors import CasebookError
from .store import Casebook

EXIT_ERROR = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


def _open_book(args: argparse.Namespace) -> Casebook:
    path = args.casebook or os.environ.get("CASEBOOK_PATH") or "."
    return Casebook(path)


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def cmd_init(args: argparse.Namespace) -> int:
    from .examples import load_examples

    book = Casebook.init(args.path)
    _out(f"casebook ready at {book.path}")
    if args.with_examples:
        added = load_examples(book, examples_dir=Path(args.examples) if args.examples else None, replace=args.force)
        _out(f"added {len(added)} example case(s): {', '.join(added)}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .currencies import split_amount
    from .examples import read_new_case
    from .models import Order, Problem, validate

    book = _open_book(args)
    if args.from_file:
        data = read_new_case(Path(args.from_file))
        case_id = data.pop("id", None) or args.id
        order = data.pop("order", None)
        problem = data.pop("problem", None)
        if order is None or problem is None:
            raise CasebookError(f"{args.from_file}: needs an 'order' and a 'problem' section (see `casebook schema`)")
        case = book.new_case(validate(Order, order, "order"), validate(Problem, problem, "problem"), case_id=case_id, **data)
    else:
        missing = [flag for flag, value in (("--order-id", args.order_id), ("--item", args.item), ("--price", args.price),
                                             ("--order-date", args.order_date), ("--problem", args.problem)) if value is None]
        if missing:
            raise CasebookError(f"new: give --from FILE, or all of {', '.join(missing)}")
        amount, currency = split_amount(args.price, args.currency)
        order = validate(Order, {
            "platform": args.platform,
            "order_id": args.order_id,
            "item_title": args.item,
            "price": {"amount": amount, "currency": currency},
            "order_date": args.order_date,
            "ship_date": args.ship_date,
        }, "order")
        problem = validate(Problem, {"kind": args.problem, "description": args.description or ""}, "problem")
        shipments = [{"tracking_number": args.tracking}] if args.tracking else []
        case = book.new_case(order, problem, case_id=args.id, shipments=shipments)
    _out(case.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    book = _open_book(args)
    frame = book.to_frame()
    if args.json:
        _out(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        return 0
    if frame.empty:
        _out(f"no cases in {book.path}; add one with `casebook new` or `casebook init --with-examples`")
        return 0
    shown = frame[["id", "platform", "order_id", "item", "problem", "stage", "amount", "currency", "order_date"]]
    _out(shown.to_string(index=False, max_colwidth=32))
    broken = frame[frame["error"].notna()]
    for _, row in broken.iterrows():
        _out(f"BROKEN {row['id']}: {row['error']}")
    return EXIT_ERROR if len(broken) else 0


def cmd_show(args: argparse.Namespace) -> int:
    book = _open_book(args)
    case = book.get(args.id)
    if args.json:
        _out(case.model_dump_json(indent=2))
    else:
        _out(str(case))
        o = case.order
        for label, value in (("ordered", o.order_date), ("shipped", o.ship_date), ("promised", o.promised_by),
                             ("received", o.received_date), ("store", o.store_name), ("option", o.option)):
            if value:
                _out(f"  {label:9} {value}")
        for s in case.shipments:
            _out(f"  tracking  {s.tracking_number or '-'} {s.carrier or ''} {s.domestic_number or ''}".rstrip())
        _out(f"  messages  {len(case.messages)} ({len(case.seller_messages())} with the seller)")
        _out(f"  evidence  {len(case.evidence)} file(s)")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .models import Case

    _out(json.dumps(Case.model_json_schema(), indent=2, ensure_ascii=False))
    return 0


COMMANDS: dict[str, Handler] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casebook", description="Problem orders from overseas marketplaces, end to end.")
    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    parser.add_argument("--casebook", "-C", metavar="PATH", help="casebook folder (default: $CASEBOOK_PATH or the current folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a casebook folder")
    p.add_argument("path")
    p.add_argument("--with-examples", action="store_true", help="add the guide's five cases A-E (ids seed-a ... seed-e)")
    p.add_argument("--examples", metavar="DIR", help="example cases folder (default: the bundled examples/cases)")
    p.add_argument("--force", action="store_true", help="replace example cases that already exist")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("new", help="log a new problem order")
    p.add_argument("--from", dest="from_file", metavar="FILE", help="JSON or YAML in the shape of the case model")
    p.add_argument("--id", help="case id (default: date-platform-orderid)")
    p.add_argument("--platform", default="aliexpress")
    p.add_argument("--order-id")
    p.add_argument("--item")
    p.add_argument("--price", help="amount, optionally with currency: '23900 KRW'")
    p.add_argument("--currency", default="KRW")
    p.add_argument("--order-date", help="YYYY-MM-DD")
    p.add_argument("--ship-date", help="YYYY-MM-DD")
    p.add_argument("--problem", help="problem kind, e.g. not_received, damaged, wrong_size")
    p.add_argument("--description")
    p.add_argument("--tracking", help="tracking number")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("list", help="list the cases")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="show one case")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("schema", help="print the JSON schema of a case")
    p.set_defaults(handler=cmd_schema)

    for register in _EXTENSIONS:
        register(sub)
    return parser


# Later modules add their sub-commands here (tracking, evidence, playbook, summary, batch).
_EXTENSIONS: list[Callable[[Any], None]] = []


def _setup_logging() -> None:
    """``CASEBOOK_LOG=FILE`` writes a debug log (secrets redacted by the handler's filter)."""
    target = os.environ.get("CASEBOOK_LOG")
    if not target:
        return
    import logging

    from .config import _FILTER

    handler = logging.FileHandler(target, encoding="utf-8")
    handler.addFilter(_FILTER)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def main(argv: Sequence[str] | None = None) -> int:
    _load_extensions()
    _setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except CasebookError as error:
        if os.environ.get("CASEBOOK_DEBUG"):
            raise
        sys.stderr.write(f"casebook: error: {_one_line(str(error))}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("casebook: interrupted\n")
        return 130


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _load_extensions() -> None:
    if _EXTENSIONS:
        return
    from . import cli_commands

    _EXTENSIONS.extend(cli_commands.REGISTER)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
