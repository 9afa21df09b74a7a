"""One long-lived Jupyter kernel per worker, and papermill running step notebooks in it.

Starting a kernel costs about a second (a fresh Python importing pandas,
pydantic and casebook); a step's own work costs milliseconds. So each worker
keeps one kernel and papermill executes every step notebook in it, through
papermill's nbclient engine given the worker's kernel manager and client
(``NotebookClient(km=...)`` leaves a kernel it does not own running).

The kernel listens on IPC sockets in a private temporary folder: no TCP port
is picked, so parallel starts cannot race for one ("Address already in use").
Its stdout/stderr go to a log file in that folder, so nothing it prints at
shutdown ("KeyboardInterrupt caught in kernel") reaches the terminal. The
namespace is reset (``%reset -f``) before every order; imported modules stay,
which is where the time is saved.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = ["WorkerKernel", "kernel_for_thread", "drop_kernel", "close_kernels", "execute_step", "ENGINE"]

ENGINE = "casebook-kernel"
log = logging.getLogger("casebook.batch")
log.addHandler(logging.NullHandler())  # keep papermill/nbclient chatter off the terminal; root handlers still see it

# what the kernel imports once, before the heap is frozen (gc.freeze: later collections skip these objects,
# which makes the per-order ``%reset -f`` cheap)
WARM_UP = """\
import gc
import casebook.steps, casebook.summary, casebook.playbook, casebook.evidence
import casebook.tracking.providers, casebook.tracking.service, casebook.tracking.timeline
gc.collect()
gc.freeze()
"""
RESET = "%reset -f"


class WorkerKernel:
    """A kernel this worker started and keeps; ``close()`` ends it, ``alive`` says whether it still runs."""

    def __init__(self, name: str = "python3", *, startup_timeout: float = 120.0) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.name = name
        self.owner = threading.get_ident()
        # short path: a Unix socket's path must stay under ~100 characters
        self.folder = Path(tempfile.mkdtemp(prefix="casebook-kernel-"))
        self.km = AsyncKernelManager(kernel_name=name, transport="ipc", connection_file=str(self.folder / "kernel.json"))
        self._log = open(self.folder / "kernel.log", "wb")  # noqa: SIM115 - open for the kernel's lifetime
        self.language_info: dict[str, Any] | None = None  # asked once per kernel, not once per notebook
        try:
            # history in memory: parallel kernels must not share (and lock) ~/.ipython's sqlite file
            run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"],
                                           stdout=self._log, stderr=self._log, cwd=str(self.folder))
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=startup_timeout)
            self.run(WARM_UP, timeout=startup_timeout)
        except BaseException:
            self.close()
            raise

    def run(self, code: str, *, timeout: float) -> None:
        """Run code outside any notebook (reset, warm-up); an error in it is the kernel's failure."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False, timeout=timeout,
                                                      output_hook=lambda message: None)
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RuntimeError(f"kernel: {content.get('ename')}: {content.get('evalue')}")

    def reset(self, *, timeout: float = 60.0) -> None:
        """A fresh namespace for the next order (modules stay imported)."""
        self.run(RESET, timeout=timeout)

    @property
    def alive(self) -> bool:
        process = getattr(self.km.provisioner, "process", None) if getattr(self.km, "provisioner", None) else None
        return process is not None and process.poll() is None

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


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class KeptKernelClient(PapermillNotebookClient):
        """papermill's client on a kernel (and client) the worker keeps: nothing started, nothing shut down."""

        def __init__(self, nb_man: Any, kernel: WorkerKernel, **kw: Any) -> None:
            super().__init__(nb_man, km=kernel.km, **kw)
            self.kc = kernel.kc
            self.kept = kernel

        def execute(self, **kwargs: Any) -> Any:
            self.reset_execution_trackers()
            with self.setup_kernel(**kwargs):
                self.papermill_execute_cells()
                if self.kept.language_info is None:  # one kernel_info round trip per kernel, not per notebook
                    self.kept.language_info = self.wait_for_reply(self.kc.kernel_info())["content"]["language_info"]
                self.nb.metadata["language_info"] = self.kept.language_info
                self.set_widgets_metadata()
            # number the cells as a fresh kernel would: the kept kernel's counter runs on across notebooks
            count = 0
            for cell in self.nb.cells:
                if cell.cell_type == "code" and cell.get("execution_count") is not None:
                    count += 1
                    cell.execution_count = count
                    for output in cell.outputs:
                        if "execution_count" in output:
                            output.execution_count = count
            return self.nb

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, *, kernel: WorkerKernel, log_output: bool = False,
                                     start_timeout: float = 60, execution_timeout: float | None = None,
                                     **kwargs: Any) -> Any:
            kwargs = {k: v for k, v in kwargs.items() if k not in ("input_path", "timeout", "startup_timeout",
                                                                   "stdout_file", "stderr_file")}
            client = KeptKernelClient(nb_man, kernel, timeout=execution_timeout, startup_timeout=start_timeout,
                                      kernel_name=kernel_name, log=log, log_output=log_output, **kwargs)
            return client.execute()

    papermill_engines.register(ENGINE, KeptKernelEngine)


_registered = False


def execute_step(kernel: WorkerKernel, notebook: Path, out: Path, parameters: dict[str, Any], *,
                 timeout: float) -> None:
    """Execute one step notebook in ``kernel`` into ``out`` (papermill: parameters cell, error cells, metadata)."""
    global _registered
    import papermill as pm

    if not _registered:
        _register_engine()
        _registered = True
    pm.execute_notebook(str(notebook), str(out), parameters=parameters, engine_name=ENGINE, kernel=kernel,
                        kernel_name=kernel.name, progress_bar=False, log_output=False, store_widget_state=False,
                        request_save_on_cell_execute=False, execution_timeout=timeout)
