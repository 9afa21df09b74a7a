"""One long-lived Jupyter kernel per worker, and the step notebooks executed in it.

Starting a kernel costs about a second (a fresh Python importing pandas,
pydantic and casebook); a step's own work costs milliseconds. So each worker
keeps one kernel and executes every step notebook of its orders in it. The
notebook is parameterized by papermill (its ``injected-parameters`` cell, so
the executed copy reads as papermill's) and its cells are sent over a
blocking client, one request per cell, outputs collected as nbformat outputs;
a failing cell raises papermill's ``PapermillExecutionError`` and the
executed notebook carries papermill's error marker. Each cell round trip is
what a batch pays for, so the notebook's defaults and the injected values go
as one request.

The kernel listens on IPC sockets in a private temporary folder: no TCP port
is picked, so parallel starts cannot race for one ("Address already in use").
Its stdout/stderr go to a log file in that folder, so nothing it prints at
shutdown ("KeyboardInterrupt caught in kernel") reaches the terminal. The
namespace is emptied before every order; imported modules stay,
which is where the time is saved. A cell that runs past its timeout raises
nbclient's ``CellTimeoutError``; a kernel that dies raises ``DeadKernelError``:
the order fails and the worker starts a fresh kernel for the next one.
"""

from __future__ import annotations

import atexit
import copy
import logging
import queue
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["WorkerKernel", "kernel_for_thread", "drop_kernel", "close_kernels", "execute_step"]

log = logging.getLogger("casebook.batch")
log.addHandler(logging.NullHandler())

# what the kernel imports once, before the heap is frozen (gc.freeze: later collections skip these objects,
# which makes the per-order ``%reset -f`` cheap)
WARM_UP = """\
import gc
import casebook.steps, casebook.summary, casebook.playbook, casebook.evidence
import casebook.tracking.providers, casebook.tracking.service, casebook.tracking.timeline
gc.collect()
gc.freeze()
"""
# A fresh namespace for each order: every name the order's cells made is deleted and the output cache emptied.
# (``%reset -f`` does the same and then a full garbage collection, which costs more than a whole order's work.)
RESET = """\
_ip = get_ipython()
for _name in [n for n in _ip.user_ns if not n.startswith("_") and n not in _ip.user_ns_hidden]:
    del _ip.user_ns[_name]
_ip.history_manager.output_hist.clear()
_ip.user_ns.update({"_": "", "__": "", "___": ""})
del _ip
"""


class WorkerKernel:
    """A kernel this worker started and keeps; ``close()`` ends it, ``alive`` says whether it still runs."""

    def __init__(self, name: str = "python3", *, startup_timeout: float = 120.0) -> None:
        from jupyter_client.manager import KernelManager

        self.name = name
        self.owner = threading.get_ident()
        # short path: a Unix socket's path must stay under ~100 characters
        self.folder = Path(tempfile.mkdtemp(prefix="casebook-kernel-"))
        self.km = KernelManager(kernel_name=name, transport="ipc", connection_file=str(self.folder / "kernel.json"))
        self._log = open(self.folder / "kernel.log", "wb")  # noqa: SIM115 - open for the kernel's lifetime
        self.language_info: dict[str, Any] | None = None
        self.templates: dict[str, Any] = {}  # step notebooks read once per worker
        try:
            # history in memory: parallel kernels must not share (and lock) ~/.ipython's sqlite file
            self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"], stdout=self._log,
                                 stderr=self._log, cwd=str(self.folder))
            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=startup_timeout)
            self.language_info = self.kc.kernel_info(reply=True, timeout=startup_timeout)["content"]["language_info"]
            self.run(WARM_UP, timeout=startup_timeout)
        except BaseException:
            self.close()
            raise

    def execute(self, code: str, *, timeout: float, silent: bool = False) -> tuple[list[Any], dict[str, Any], int | None]:
        """Run ``code``; returns (nbformat outputs, the reply's content, execution count). Bounded by ``timeout``."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        from nbformat.v4 import output_from_msg

        msg_id = self.kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False, stop_on_error=True)
        deadline = time.monotonic() + timeout
        outputs: list[Any] = []
        count: int | None = None
        clear_pending = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CellTimeoutError(f"a cell ran longer than {timeout:g} s")
            try:
                message = self.kc.get_iopub_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not self.alive:
                    raise DeadKernelError("the kernel died while running a cell") from None
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "execute_input":
                count = content.get("execution_count")
            elif kind == "clear_output":
                if content.get("wait"):
                    clear_pending = True
                else:
                    outputs.clear()
            elif kind in ("stream", "display_data", "execute_result", "error"):
                if clear_pending:
                    outputs.clear()
                    clear_pending = False
                output = output_from_msg(message)
                if kind == "stream" and outputs and outputs[-1].get("output_type") == "stream" \
                        and outputs[-1].get("name") == output.name:
                    outputs[-1].text += output.text  # one stream output per run of text, as nbclient writes it
                else:
                    outputs.append(output)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CellTimeoutError(f"no reply from the kernel within {timeout:g} s")
            try:
                reply = self.kc.get_shell_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not self.alive:
                    raise DeadKernelError("the kernel died while running a cell") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return outputs, reply["content"], count

    def run(self, code: str, *, timeout: float) -> None:
        """Run code outside any notebook (reset, warm-up); an error in it is the kernel's failure."""
        _, content, _ = self.execute(code, timeout=timeout, silent=True)
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel: {content.get('ename')}: {content.get('evalue')}")

    def reset(self, *, timeout: float = 60.0) -> None:
        """A fresh namespace for the next order (modules stay imported)."""
        self.run(RESET, timeout=timeout)

    @property
    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:  # noqa: BLE001 - a manager half torn down is not alive
            return False

    def close(self) -> None:
        """End the kernel process and remove its sockets; safe from any thread, and twice."""
        if threading.get_ident() == self.owner and getattr(self, "kc", None) is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001 - closing what may already be gone
                pass
        process = getattr(self.km.provisioner, "process", None) if getattr(self.km, "provisioner", None) else None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_kernels: dict[int, WorkerKernel] = {}
_lock = threading.Lock()


def kernel_for_thread(name: str) -> WorkerKernel:
    """This thread's kernel, started on first use (a kernel client belongs to the thread whose event loop drives it)."""
    key = threading.get_ident()
    with _lock:
        kernel = _kernels.get(key)
    if kernel is not None and kernel.name == name and kernel.alive:
        return kernel
    if kernel is not None:
        kernel.close()
    kernel = WorkerKernel(name)
    with _lock:
        if not _kernels:
            atexit.register(close_kernels)  # run_order called in-process (a script, a notebook): no kernel left behind
        _kernels[key] = kernel
    return kernel


def drop_kernel() -> None:
    """Close this thread's kernel (after a crash or a timeout): the next order starts a fresh one."""
    with _lock:
        kernel = _kernels.pop(threading.get_ident(), None)
    if kernel is not None:
        kernel.close()


def close_kernels() -> int:
    """Close every kernel of this process (end of a batch, worker exit); returns how many."""
    with _lock:
        kernels = list(_kernels.values())
        _kernels.clear()
    for kernel in kernels:
        kernel.close()
    return len(kernels)


def execute_step(kernel: WorkerKernel, notebook: Path, out: Path, parameters: dict[str, Any], *,
                 timeout: float) -> None:
    """Execute one step notebook in ``kernel`` into ``out``: papermill's parameters, outputs, error marker."""
    from papermill.execute import raise_for_execution_errors, remove_error_markers
    from papermill.iorw import load_notebook_node, write_ipynb
    from papermill.parameterize import parameterize_notebook

    key = str(notebook)
    if key not in kernel.templates:
        kernel.templates[key] = load_notebook_node(key)
    nb = parameterize_notebook(copy.deepcopy(kernel.templates[key]), parameters, kernel_name=kernel.name,
                               language="python")
    nb = remove_error_markers(nb)
    cells = nb.cells
    number = 0
    index = 0
    while index < len(cells):
        cell = cells[index]
        if cell.cell_type != "code":
            index += 1
            continue
        nxt = cells[index + 1] if index + 1 < len(cells) else None
        pair = ("parameters" in cell.metadata.get("tags", []) and nxt is not None
                and "injected-parameters" in nxt.metadata.get("tags", []))
        source = f"{cell.source}\n{nxt.source}" if pair else cell.source  # type: ignore[union-attr]
        outputs, reply, _ = kernel.execute(source, timeout=timeout)
        number += 1
        cell.execution_count, cell.outputs = number, []
        target = nxt if pair else cell
        if pair:
            number += 1
            nxt.execution_count = number  # type: ignore[union-attr]
        target.outputs = outputs  # type: ignore[union-attr]
        for output in outputs:
            if "execution_count" in output:
                output.execution_count = target.execution_count  # type: ignore[union-attr]
        index += 2 if pair else 1
        if reply.get("status") != "ok":
            break
    nb.metadata["language_info"] = kernel.language_info
    try:
        raise_for_execution_errors(nb, str(out))  # papermill's error marker, and PapermillExecutionError
    finally:
        write_ipynb(nb, str(out))
