"""``make demo``: the main job on the embedded default, no API key needed.

Builds ``demo-output/casebook`` from the bundled examples (the guide's five
cases A-E), then runs the four step notebooks headless for case A with the
offline provider (the tracking page text in ``examples/tracking/paste``), and
prints where the executed notebooks, the report and the dispute pack are.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .examples import examples_dir, load_examples
from .i18n import label, t
from .models import TrackingStatus
from .store import Casebook

CASE = "seed-a"


def run(output: Path, *, kernel: str = "python3") -> dict[str, Path]:
    import json

    from .batch.kernel import close_kernels, execute_step, kernel_for_thread
    from .batch.runner import bundled_notebooks

    if output.exists():
        shutil.rmtree(output)
    book = Casebook.init(output / "casebook")
    load_examples(book)
    lang = book.settings.language
    from .cli import main as cli_main

    cli_main(["-C", str(book.path), "list"])  # the cases as `casebook list` shows them
    executed = output / "notebooks"
    executed.mkdir(parents=True)
    common = {"casebook_path": str(book.path), "lang": "ko", "today": "2026-03-21"}
    steps = [
        ("01_log_order", {"case_id": CASE}),
        ("02_check_tracking", {"case_id": CASE, "provider": "offline",
                               "paste_file": str(examples_dir() / "tracking" / "paste" / "seed-a.txt")}),
        ("03_collect_evidence", {"case_id": CASE, "evidence": [], "evidence_base": str(examples_dir())}),
        ("04_dispute_summary", {"case_id": CASE, "output_dir": str(output / "summary")}),
    ]
    results = {}
    # one kernel for the four steps, on IPC sockets with its output in a log (no TCP warning, nothing printed at exit)
    worker = kernel_for_thread(kernel)
    try:
        for name, params in steps:
            print(t("demo.running", lang, step=name), flush=True)
            result_file = executed / f"{name}.json"
            execute_step(worker, bundled_notebooks() / f"{name}.ipynb", executed / f"{name}.ipynb",
                         common | params | {"result_file": str(result_file)}, timeout=300)
            results[name] = json.loads(result_file.read_text(encoding="utf-8"))
    finally:
        close_kernels()
    files = {k: Path(v) for k, v in results["04_dispute_summary"]["files"].items()}
    tracking = results["02_check_tracking"]
    summary = results["04_dispute_summary"]
    status = label(TrackingStatus(tracking["status"]), lang)
    notes = " ".join(f"{text}." for flag in tracking["flag_texts"] if (text := flag["text"][lang].rstrip(".")) != status)
    print()
    print(t("demo.tracking", lang, status=status, n=tracking["events"], notes=notes).rstrip())
    print(t("demo.ready" if summary["ready"] else "demo.not_ready", lang, score=summary["score"]))
    return {"casebook": book.path, "notebooks": executed, "report": files["report_html"], "pack": files["pack"],
            "message": files[f"message_{lang}"]}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0] if args else "demo-output").resolve()
    where = run(output)
    lang = Casebook(where["casebook"]).settings.language
    print()
    for key in ("casebook", "notebooks", "message", "report", "pack"):
        print(t(f"demo.{key}", lang, path=where[key]))
    print(t("demo.try", lang, command=f".venv/bin/casebook -C {where['casebook']} advise {CASE} --today 2026-03-21"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
