"""Batch runs: the four step notebooks for every row of an orders CSV (see ``runner``).

``orders`` reads the CSV into picklable per-order tasks, ``unit`` runs one
order's notebooks in the worker's kept kernel (``kernel``), ``engines``
spreads the orders over local kernels (one per worker) or a Dask cluster, and
``tracking`` fetches network tracking once for the whole batch.
"""

from __future__ import annotations

from .orders import COLUMNS, REQUIRED, STEPS, BatchRow, OrderTask, read_orders
from .runner import (bundled_notebooks, PROVIDERS, orders_frame, prepare_output, results_frame, run_batch, run_step, summary_table,
                     write_summary)
from .unit import RowResult, run_order

NOTEBOOKS = STEPS

__all__ = ["BatchRow", "OrderTask", "RowResult", "read_orders", "run_batch", "run_order", "run_step", "summary_table",
           "write_summary", "prepare_output", "results_frame", "orders_frame", "NOTEBOOKS", "bundled_notebooks", "COLUMNS", "REQUIRED", "STEPS", "PROVIDERS"]
