# casebook: two commands from a fresh clone (Python 3.11+, nothing else installed).
#   make demo   builds a demo casebook from examples/ and prints where the output is
#   make test   runs the whole test suite (unit, store, providers, notebooks, browser)
# Both create .venv on first use and reinstall it whenever pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= test,browser,dask

.PHONY: demo test bench app screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "casebook needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[$(EXTRAS)]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m casebook.demo

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[$(EXTRAS),bench]"
	$(BIN)/python -m benchmarks

screenshots: $(STAMP)
	CASEBOOK_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -p no:cacheprovider

# preheated kernels: Voila runs the app notebook before anyone visits, so the first page shows at once
app: $(STAMP)
	$(BIN)/voila notebooks/app.ipynb --no-browser --Voila.ip=127.0.0.1 --port=8866 --preheat_kernel=True --pool_size=2

clean:
	rm -rf $(VENV) demo-output test-output .pytest_cache
