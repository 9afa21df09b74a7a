"""The four-step headless walkthrough for one case vs four empty notebooks on the same kernel.

Both sides pay papermill's kernel start per notebook; the difference is the
package's own work. Target (issue #7): ratio <= 1.5.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm
from jupyter_client.manager import AsyncKernelManager

from casebook.examples import examples_dir, load_examples
from casebook.store import Casebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
STEPS = ["01_log_order", "02_check_tracking", "03_collect_evidence", "04_dispute_summary"]


class _QuietKernelManager(AsyncKernelManager):
    """papermill's own kernels (as a user's papermill run starts them), their log lines (the 'running over TCP
    without encryption' warning, the interrupt papermill sends at shutdown) kept out of the figures."""

    async def start_kernel(self, **kwargs):  # noqa: ANN003
        import subprocess

        kwargs.setdefault("stderr", subprocess.DEVNULL)
        return await super().start_kernel(**kwargs)


QUIET = {"kernel_manager_class": _QuietKernelManager}


def empty_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                            "language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("x = None", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("x")]
    nbformat.write(nb, path)


def walkthrough(tmp: Path, book: Casebook) -> float:
    params = {
        "01_log_order": {"case_id": "seed-a"},
        "02_check_tracking": {"case_id": "seed-a", "paste_file": str(examples_dir() / "tracking/paste/seed-a.txt")},
        "03_collect_evidence": {"case_id": "seed-a", "evidence": []},
        "04_dispute_summary": {"case_id": "seed-a", "output_dir": str(tmp / "summary")},
    }
    start = time.perf_counter()
    for name in STEPS:
        pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(tmp / f"{name}.ipynb"),
                            parameters={"casebook_path": str(book.path), "today": "2026-03-21",
                                        "result_file": str(tmp / f"{name}.json"), **params[name]},
                            kernel_name="python3", progress_bar=False, log_output=False, store_widget_state=False, cwd=str(tmp),
                            **QUIET)
    return time.perf_counter() - start


def floor(tmp: Path) -> float:
    empty = tmp / "empty.ipynb"
    empty_notebook(empty)
    start = time.perf_counter()
    for n in range(4):
        pm.execute_notebook(str(empty), str(tmp / f"empty-{n}.ipynb"), parameters={"x": n}, kernel_name="python3",
                            progress_bar=False, log_output=False, cwd=str(tmp), **QUIET)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        book = Casebook.init(tmp / "book")
        load_examples(book)
        floor(tmp), walkthrough(tmp, book)  # warm caches (imports, kernel spec, bytecode)
        ours = min(walkthrough(tmp, book) for _ in range(3))
        base = min(floor(tmp) for _ in range(3))
    print(f"four-step walkthrough (case A, offline): {ours:.2f} s")
    print(f"four empty notebooks, same kernel:       {base:.2f} s")
    print(f"ratio: {ours / base:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
