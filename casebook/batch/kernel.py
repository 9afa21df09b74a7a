"""One long-lived Jupyter kernel per worker, and the step notebooks executed in it.

Starting a kernel costs about a second (a fresh Python importing pandas,
pydantic and casebook); a step's own work costs milliseconds. So each worker
keeps one kernel and executes every step notebook of its orders in it. The
notebook is parameterized by papermill (its ``injected-parameters`` cell, so
the executed copy reads as papermill's) and its cells are sent over a
blocking client, outputs collected as nbformat outputs; a failing cell
raises papermill's ``PapermillExecutionError`` and the executed notebook
carries papermill's error marker. Each request costs the kernel a round of
messages (a few milliseconds, as long as a step's own work), so the notebook's
defaults, the injected values and the step's cell go as one request, and all
of an order's requests are sent before any answer is read.

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
import contextvars
import functools
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["WorkerKernel", "kernel_for_thread", "drop_kernel", "close_kernels", "execute_step", "execute_steps", "RESET",
           "without_iri_grammar", "in_thread_context"]

T = TypeVar("T")
log = logging.getLogger("casebook.batch")
log.addHandler(logging.NullHandler())

# A fresh namespace for each order: every name the order's cells made is deleted and the output cache emptied.
# (``%reset -f`` does the same and then a full garbage collection, which costs more than a whole order's work.)
# The kernel defines it once (its name starts with "_", so it outlives every reset); an order's first request
# calls it before the notebook's code, which spares a request (a round of kernel messages) per order.
FRESH_NAMESPACE = """\
def _casebook_fresh_namespace(_ip=get_ipython()):
    for name in [n for n in _ip.user_ns if not n.startswith("_") and n not in _ip.user_ns_hidden]:
        del _ip.user_ns[name]
    _ip.history_manager.output_hist.clear()
    _ip.user_ns.update({"_": "", "__": "", "___": ""})
"""
RESET = "_casebook_fresh_namespace()"

# What the kernel does once. Every request reaches it as plain Python (``as_python``: the driver runs IPython's
# input transformers once per notebook cell that needs them), so the kernel skips its own transforming pass, a
# pure-Python tokenizing of every line of every request. Then the modules are imported and the heap frozen
# (gc.freeze: later collections skip these objects, which makes the per-order reset cheap).
WARM_UP = """\
import gc
get_ipython().autoawait = False  # step cells never await at top level; skip compiling each one to find out
get_ipython().input_transformer_manager.transform_cell = lambda cell: cell if cell.endswith("\\n") else cell + "\\n"
import casebook.steps, casebook.summary, casebook.playbook, casebook.evidence
import casebook.tracking.providers, casebook.tracking.service, casebook.tracking.timeline
""" + FRESH_NAMESPACE + """
gc.collect()
gc.freeze()
"""


def without_iri_grammar() -> None:
    """For a process the batch owns (the ``casebook`` command, its Dask workers): nbformat without an IRI grammar.

    When rfc3987-syntax is installed (JupyterLab's event schemas ask for it), importing
    jsonschema, which nbformat and so papermill do, compiles its IRI grammar: over a second
    before the first notebook can run, for a format check the notebook schema never makes.
    Called before nbformat is imported, this leaves jsonschema's two IRI format checks out of
    the process. A library caller's process (a notebook, a script) is left as it is.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type] - its import now fails: no IRI checks


def _output(kind: str, content: dict[str, Any]) -> Any:
    """An nbformat output from a kernel message (nbformat's ``output_from_msg`` without its per-output schema check)."""
    from nbformat import from_dict

    if kind == "stream":
        return from_dict({"output_type": "stream", "name": content["name"], "text": content["text"]})
    if kind == "error":
        return from_dict({"output_type": "error", "ename": content.get("ename", ""), "evalue": content.get("evalue", ""),
                          "traceback": content.get("traceback", [])})
    output = {"output_type": kind, "data": content.get("data", {}), "metadata": content.get("metadata", {})}
    if kind == "execute_result":
        output["execution_count"] = content.get("execution_count")
    return from_dict(output)


def _append(outputs: list[Any], output: Any) -> None:
    """Add an output; text following text on the same stream joins it, as nbclient writes streams."""
    last = outputs[-1] if outputs else None
    if output.get("output_type") == "stream" and last is not None and last.get("output_type") == "stream" \
            and last.get("name") == output.get("name"):
        last.text += output.text
    else:
        outputs.append(output)


def _read_message(session: Any, parts: list[bytes]) -> tuple[str | None, str, dict[str, Any]]:
    """(the request it answers, its type, its content) of a kernel message, its signature checked.

    The frames are the Jupyter protocol's (signature, header, parent header, metadata,
    content). jupyter_client's ``Session.deserialize`` also turns every header's dates into
    datetimes, which costs a batch more than the rest of the reading and is never looked at.
    """
    import hmac

    frames = session.feed_identities(parts)[1]
    if len(frames) < 5:
        raise ValueError(f"a kernel message of {len(frames)} frames (the protocol has at least 5)")
    if session.auth is not None and not hmac.compare_digest(frames[0], session.sign(frames[1:5])):
        raise ValueError("a kernel message with a wrong signature")
    header, parent = session.unpack(frames[1]), session.unpack(frames[2])
    return parent.get("msg_id"), header["msg_type"], session.unpack(frames[4])


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
        self.templates: dict[str, tuple[str, int]] = {}  # step notebook (as JSON) and its injected cell
        self.defaults: dict[str, dict[str, str] | None] = {}  # parameters cells read once (see _request_code)
        try:
            # Options: no history database (a batch never reads it back, and parallel kernels must not share and
            # lock ~/.ipython's sqlite file); no half-millisecond pause before each reply (``collect`` waits for
            # the kernel's "idle", which follows every output). IPYKERNEL_CELL_NAME, ipykernel's documented
            # switch, gives every cell the same file name: no per-cell hash for the debugger's file names, which
            # a batch kernel never uses; tracebacks still show the failing cell.
            options = ["--HistoryManager.enabled=False", "--Kernel._execute_sleep=0"]
            env = dict(os.environ, IPYKERNEL_CELL_NAME=str(self.folder / "cell.py"))
            self.km.start_kernel(extra_arguments=options, env=env, stdout=self._log, stderr=self._log,
                                 cwd=str(self.folder))
            import nbformat  # noqa: F401 - while the kernel boots: what executing notebooks needs here
            import papermill.execute  # noqa: F401

            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=startup_timeout)
            self.language_info = self.kc.kernel_info(reply=True, timeout=startup_timeout)["content"]["language_info"]
            self.run(WARM_UP, timeout=startup_timeout)
        except BaseException:
            self.close()
            raise

    def send(self, code: str, *, silent: bool = False) -> str:
        """Queue ``code``, plain Python (``as_python``), in the kernel; returns the request's id (the kernel runs
        requests in the order sent)."""
        return self.kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False, stop_on_error=True)

    def collect(self, msg_ids: list[str], *, timeout: float) -> dict[str, tuple[list[Any], dict[str, Any]]]:
        """Outputs and reply of each request; ``timeout`` bounds each request (it restarts when one finishes).

        After an error the kernel aborts the requests queued behind it: they come back with
        status "aborted" and no outputs.
        """
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        wanted = set(msg_ids)
        outputs: dict[str, list[Any]] = {m: [] for m in msg_ids}
        replies: dict[str, dict[str, Any]] = {}
        idle: set[str] = set()
        clear_pending: set[str] = set()
        deadline = time.monotonic() + timeout

        def done(msg_id: str) -> bool:
            return msg_id in replies and (msg_id in idle or replies[msg_id].get("status") == "aborted")

        import zmq

        poller = zmq.Poller()
        session = self.kc.session
        sockets = (self.kc.iopub_channel.socket, self.kc.shell_channel.socket)
        for socket in sockets:
            poller.register(socket, zmq.POLLIN)
        while not all(done(m) for m in msg_ids):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CellTimeoutError(f"a cell ran longer than {timeout:g} s")
            ready = dict(poller.poll(int(min(remaining, 1.0) * 1000) + 1))
            if not ready:
                if not self.alive:
                    raise DeadKernelError("the kernel died while running a cell")
                continue
            for socket in ready:
                try:  # straight off the socket: the client's get_*_msg wraps each read in an event loop
                    parts = socket.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    continue
                msg_id, kind, content = _read_message(session, parts)
                if msg_id not in wanted:
                    continue
                if kind == "execute_reply":
                    replies[msg_id] = content
                    deadline = time.monotonic() + timeout  # progress: the next request gets its full time
                elif kind == "status" and content["execution_state"] == "idle":
                    idle.add(msg_id)
                elif kind == "clear_output":
                    if content.get("wait"):
                        clear_pending.add(msg_id)
                    else:
                        outputs[msg_id].clear()
                elif kind in ("stream", "display_data", "execute_result", "error"):
                    if msg_id in clear_pending:
                        outputs[msg_id].clear()
                        clear_pending.discard(msg_id)
                    _append(outputs[msg_id], _output(kind, content))
        return {m: (outputs[m], replies[m]) for m in msg_ids}

    def execute(self, code: str, *, timeout: float, silent: bool = False) -> tuple[list[Any], dict[str, Any]]:
        """Run ``code`` and wait for it; returns (nbformat outputs, the reply's content)."""
        msg_id = self.send(code, silent=silent)
        return self.collect([msg_id], timeout=timeout)[msg_id]

    def run(self, code: str, *, timeout: float) -> None:
        """Run code outside any notebook (reset, warm-up); an error in it is the kernel's failure."""
        _, content = self.execute(as_python(code), timeout=timeout, silent=True)
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
        """End the kernel process and remove its sockets; safe from any thread, and twice.

        The client's sockets are closed by the thread that drives them, or by any thread once that one has ended.
        """
        driver_gone = all(thread.ident != self.owner for thread in threading.enumerate())
        if (threading.get_ident() == self.owner or driver_gone) and getattr(self, "kc", None) is not None:
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
_contexts: dict[int, contextvars.Context] = {}
_lock = threading.Lock()


def in_thread_context(function: Callable[..., T], *args: Any) -> T:
    """Call ``function`` in this thread's own context (one per thread, kept while the thread drives a kernel).

    jupyter_client runs its blocking calls on an event loop kept per context. A Dask worker
    runs each task in a copy of the context that submitted it, so two worker threads of one
    process would share, and collide on, the submitting thread's loop ("This event loop is
    already running").
    """
    key = threading.get_ident()
    with _lock:
        context = _contexts.setdefault(key, contextvars.Context())
    return context.run(function, *args)


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
        _contexts.clear()
    for kernel in kernels:
        kernel.close()
    return len(kernels)


def _write_notebook(nb: Any, out: Path) -> None:
    """The executed notebook, written whole (temp file, rename) but without fsync: it can be made again.

    The template was validated when read and the outputs are the kernel's own messages, so
    the per-write schema check (and nbformat's line splitting) are skipped: a batch writes
    four notebooks per order.
    """
    import json
    import os
    import tempfile

    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@functools.lru_cache(maxsize=256)
def as_python(source: str) -> str:
    """``source`` as the plain Python IPython would run: itself when it parses, else what IPython's input
    transformers make of it (magics, shell escapes, help requests), which depends on the text alone."""
    if _parsed(source) is not None:
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _parsed(source: str) -> Any:
    """The module ``source`` parses to, or None when it is not plain Python (a magic, a shell escape).

    Quietly: the kernel warns about the cell (an invalid escape …) when it compiles it, in the notebook.
    """
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _literal_assignments(source: str) -> dict[str, str] | None:
    """``{name: value's source}`` for a cell that only assigns literals to names (a parameters cell), else None."""
    import ast

    tree = _parsed(source)
    if tree is None:
        return None
    found: dict[str, str] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            return None
        try:
            ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None  # an expression (a call, a name): it runs as written
        found[node.targets[0].id] = ast.unparse(node.value)
    return found


def _request_code(kernel: WorkerKernel, group: list[Any]) -> str:
    """What the kernel is sent for a group of cells; the notebook keeps every cell as written.

    IPython compiles and runs each top-level statement of a request on its own, and the
    defaults cell and papermill's injected cell are some forty one-line assignments: in a
    batch that bookkeeping costs more than the step's own work. When both cells only
    assign literals, they go as one statement that binds the same names to the same values
    (the injected value wins, as it does when the cells run in turn). Otherwise each cell
    goes as written (the defaults without their comments, which IPython would tokenize).
    """
    if "parameters" not in group[0].metadata.get("tags", []):
        return "\n".join(as_python(cell.source) for cell in group)
    source = group[0].source  # the defaults; a group of more cells goes on with the injected values (_request_group)
    if source not in kernel.defaults:
        kernel.defaults[source] = _literal_assignments(source)
    defaults = kernel.defaults[source]
    injected = _literal_assignments(group[1].source) if len(group) > 1 else None
    if defaults is not None and injected is not None:
        values = defaults | injected
        head = [f"{', '.join(values)}, = ({', '.join(values.values())},)" if values else ""]
    else:
        head = ["\n".join(f"{name} = {value}" for name, value in defaults.items()) if defaults is not None
                else as_python(source)] + [as_python(cell.source) for cell in group[1:2]]
    return "\n".join(head + [as_python(cell.source) for cell in group[2:]])


def _request_group(code: list[Any], index: int) -> list[Any]:
    """The cells sent as one request from ``index``: the defaults, the injected values and the cell that uses them.

    Every request costs the kernel a round of messages (about as long as a step's own work),
    and the two parameter cells only assign values, so they go with the next cell (a cell
    magic too: it reaches the kernel as the call IPython makes of it, see ``as_python``).
    """
    cell = code[index]
    tags = cell.metadata.get("tags", [])
    if "parameters" not in tags or index + 1 >= len(code) or "injected-parameters" not in code[index + 1].metadata.get("tags", []):
        return [cell]
    return code[index: index + 3]


def execute_steps(kernel: WorkerKernel, jobs: list[tuple[Path, Path, dict[str, Any]]], *, timeout: float,
                  prelude: str | None = None) -> int:
    """Execute step notebooks one after another in ``kernel``, all requests sent at once; returns how many ran.

    ``jobs`` are (notebook, executed copy, parameters). Sending every request before
    reading any answer pays the kernel's round trip once instead of once per notebook.
    A notebook that fails is written with papermill's error marker and raises
    ``PapermillExecutionError``; the kernel aborts the ones queued behind it, which are
    not written. ``prelude`` (one line, e.g. ``RESET``) runs first, as the first line of the
    first request.
    """
    from papermill.execute import raise_for_execution_errors

    prepared = [(_prepare(kernel, notebook, parameters), out) for notebook, out, parameters in jobs]
    ids: list[str] = []
    plan: list[list[tuple[list[Any], str]]] = []
    for (nb, groups), _ in prepared:
        requests = []
        for group in groups:
            code = _request_code(kernel, group)
            if prelude:
                code, prelude = f"{prelude}\n{code}", None
            requests.append((group, kernel.send(code)))
        plan.append(requests)
        ids += [msg_id for _, msg_id in requests]
    answers = kernel.collect(ids, timeout=timeout)
    for ran, (((nb, _), out), requests) in enumerate(zip(prepared, plan)):
        number = 0
        for group, msg_id in requests:
            outputs, reply = answers[msg_id]
            if reply.get("status") == "aborted":
                return ran  # an earlier notebook failed (it raised below before we got here)
            for cell in group:
                number += 1
                cell.execution_count, cell.outputs = number, []
            group[-1].outputs = outputs  # only the last cell of a group shows anything (the others assign values)
            for output in outputs:
                if "execution_count" in output:
                    output.execution_count = group[-1].execution_count
            if reply.get("status") != "ok":
                break
        nb.metadata["language_info"] = kernel.language_info
        try:
            raise_for_execution_errors(nb, str(out))  # papermill's error marker, and PapermillExecutionError
        finally:
            _write_notebook(nb, out)
    return len(jobs)


def execute_step(kernel: WorkerKernel, notebook: Path, out: Path, parameters: dict[str, Any], *,
                 timeout: float) -> None:
    """Execute one step notebook in ``kernel`` into ``out`` (see ``execute_steps``)."""
    execute_steps(kernel, [(notebook, out, parameters)], timeout=timeout)


def _prepare(kernel: WorkerKernel, notebook: Path, parameters: dict[str, Any]) -> tuple[Any, list[list[Any]]]:
    """The notebook with papermill's injected parameters, and its code cells grouped into requests.

    Papermill parameterizes the notebook once per worker (where the injected cell goes, the
    notebook's papermill metadata); each order gets a copy with its own values in that cell,
    written by papermill's translator, as ``parameterize_notebook`` would.
    """
    import json

    import nbformat
    from papermill.execute import remove_error_markers
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook
    from papermill.translators import translate_parameters

    key = str(notebook)
    if key not in kernel.templates:  # read, validated and parameterized once per worker; a copy per order
        nb = parameterize_notebook(load_notebook_node(key), {}, kernel_name=kernel.name, language="python")
        nb = remove_error_markers(nb)
        injected = next(i for i, cell in enumerate(nb.cells) if "injected-parameters" in cell.metadata.get("tags", []))
        kernel.templates[key] = (json.dumps(nb), injected)
    text, injected = kernel.templates[key]
    nb = nbformat.from_dict(json.loads(text))
    nb.cells[injected].source = translate_parameters(kernel.name, "python", parameters, "Parameters")
    nb.metadata.papermill["parameters"] = parameters
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    groups, index = [], 0
    while index < len(code):
        groups.append(_request_group(code, index))
        index += len(groups[-1])
    return nb, groups
