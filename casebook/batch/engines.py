"""Where the per-order unit runs: a local process pool (default) or a Dask cluster.

Both call ``unit.run_order`` with the same picklable task and hand each
``RowResult`` back as it finishes, so results, folders and resumability are
the same whichever engine ran them.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..errors import CasebookError
from .orders import OrderTask
from .unit import RowResult, error_line, run_order, write_row_result

__all__ = ["run_local", "run_dask", "ENGINES"]

ENGINES = ("local", "dask")
Done = Callable[[RowResult], None]


def _lost(task: OrderTask, error: BaseException) -> RowResult:
    """A worker that vanished (killed, out of memory) fails its order, not the batch."""
    result = RowResult(task.row_id, task.line, "failed", case_id=None, error=error_line(error))
    write_row_result(Path(task.row_dir), result)
    return result


def _worker_started() -> None:
    """Close this worker's kernel when the pool shuts the worker down (multiprocessing runs these finalizers)."""
    from multiprocessing.util import Finalize

    from .kernel import close_kernels

    Finalize(None, close_kernels, exitpriority=10)


def run_local(tasks: list[OrderTask], workers: int, done: Done) -> None:
    """Worker processes, each with its kernel; ``spawn`` so no parent thread or socket is inherited."""
    if not tasks:
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(tasks))), mp_context=context,
                             initializer=_worker_started) as pool:
        futures = {pool.submit(run_order, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                done(future.result())
            except Exception as error:  # noqa: BLE001 - a crashed worker is one failed row
                done(_lost(futures[future], error))


def run_dask(tasks: list[OrderTask], workers: int, done: Done, *, scheduler: str | None = None) -> None:
    """The same unit on dask.distributed: a LocalCluster of ``workers`` processes, or the cluster at ``scheduler``.

    Workers of an existing cluster need casebook installed and the casebook,
    the output folder, the notebooks and the CSV's files on the same paths.
    """
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise CasebookError("--engine dask needs Dask, an optional extra: pip install 'casebook[dask]'") from None
    if not tasks:
        return
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as error:
        if cluster is not None:
            cluster.close()
        raise CasebookError(f"--scheduler: cannot reach the Dask scheduler {scheduler!r} ({error})") from None
    try:
        futures = client.map(run_order, tasks, pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            try:
                done(future.result())
            except Exception as error:  # noqa: BLE001 - a lost worker is one failed row
                done(_lost(by_key[future.key], error))
    finally:
        from .kernel import close_kernels

        try:
            client.run(close_kernels)
        except Exception:  # noqa: BLE001 - workers already gone
            pass
        client.close()
        if cluster is not None:
            cluster.close()
