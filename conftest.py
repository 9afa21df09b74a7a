"""Repository-wide test setup (also applies to nbval's run over notebooks/).

Notebooks default to ``$CASEBOOK_PATH`` or ``~/casebook``; tests point it at
a throwaway folder so no run writes into the user's home or the repository.
"""

from __future__ import annotations

import os
import tempfile


def pytest_configure(config):  # noqa: ARG001 - pytest hook signature
    os.environ.setdefault("CASEBOOK_PATH", os.path.join(tempfile.mkdtemp(prefix="casebook-tests-"), "casebook"))
    # notebook kernels and CLI subprocesses import this checkout's casebook, not another one the
    # environment has installed (a git worktree run with the main checkout's virtual environment)
    here = os.path.dirname(os.path.abspath(__file__))
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if here not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([here, *paths])
    os.environ.setdefault("MPLBACKEND", "Agg")
