"""Where the per-order unit runs: local kernels, one per worker (default), or a Dask cluster.

Both call ``unit.run_order`` with the same picklable task and hand each
``RowResult`` back as it finishes, so results, folders and resumability are
the same whichever engine ran them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..errors import CasebookError
from .orders import OrderTask
from .unit import RowResult, error_line, run_order, write_row_result

__all__ = ["run_local", "run_dask", "ENGINES"]

ENGINES = ("local", "dask")
Done = Callable[[RowResult], None]


def _lost(task: OrderTask, error: BaseException) -> RowResult:
    """An order whose worker vanished (a Dask worker killed, out of memory) fails, not the batch."""
    result = RowResult(task.row_id, task.line, "failed", case_id=None, error=error_line(error))
    write_row_result(Path(task.row_dir), result)
    return result


def run_local(tasks: list[OrderTask], workers: int, done: Done) -> None:
    """One kernel process per worker, each driven by a thread of this process.

    The orders' work happens in the kernels; a driving thread spends most of its time
    waiting on its kernel's sockets, without the GIL. Threads start no second Python that
    would import papermill, nbformat and casebook again (about a second per worker before
    its first order). At the end, or at once on an interrupt, every kernel is closed: the
    orders running then fail, the queued ones never start.
    """
    from .kernel import close_kernels

    if not tasks:
        return
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(tasks))), thread_name_prefix="casebook-batch")
    try:
        futures = {pool.submit(run_order, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                done(future.result())
            except Exception as error:  # noqa: BLE001 - an order the unit could not even report is one failed row
                done(_lost(futures[future], error))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        close_kernels()
        raise
    finally:
        pool.shutdown(wait=True)
        close_kernels()


def run_dask(tasks: list[OrderTask], workers: int, done: Done, *, scheduler: str | None = None) -> None:
    """The same unit on dask.distributed: the cluster at ``scheduler``, or else a LocalCluster in this process.

    The local cluster's ``workers`` are threads, one task at a time each, each driving its own
    kernel, as the local engine's are (the work is in the kernels). Workers of an existing
    cluster (processes, machines) need casebook installed and the casebook, the output folder,
    the notebooks and the CSV's files on the same paths.
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
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=False,
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
