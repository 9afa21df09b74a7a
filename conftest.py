"""Repository-wide test setup (also applies to nbval's run over notebooks/).

Notebooks default to ``$CASEBOOK_PATH`` or ``~/casebook``; tests point it at
a throwaway folder so no run writes into the user's home or the repository.
"""

from __future__ import annotations

import os
import tempfile


def pytest_configure(config):  # noqa: ARG001 - pytest hook signature
    os.environ.setdefault("CASEBOOK_PATH", os.path.join(tempfile.mkdtemp(prefix="casebook-tests-"), "casebook"))
    os.environ.setdefault("MPLBACKEND", "Agg")
