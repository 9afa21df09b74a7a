"""``python -m casebook ...``: the same command line as ``casebook ...``."""

from .cli import main

raise SystemExit(main())
