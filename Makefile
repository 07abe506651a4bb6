# The two commands a practice manager needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.duckdb
PORT ?= 8501

.PHONY: install system-deps demo test bench clean

$(BIN)/claimscope: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,spark]'
	touch $@

install: $(BIN)/claimscope

# Debian's chromium (browser tests, the board pack's PDF) and Java 17 (Spark tests): installed with apt as root or with
# sudo; otherwise the run stops here, in its first seconds, naming the packages to install.
system-deps:
	@scripts/system-deps

# The demo regenerates the sample practice ending today, so its A/R is current.
demo: install
	rm -rf .demo $(DEMO_DB) $(DEMO_DB).wal $(DEMO_DB).uploads
	$(BIN)/claimscope synth --out .demo --claims 2000 --seed 7 --months 12
	-$(BIN)/claimscope load .demo --db $(DEMO_DB)
	CLAIMSCOPE_DEMO=1 CLAIMSCOPE_DB=$(DEMO_DB) $(BIN)/python -m dashboard.serve --server.port $(PORT) --server.address 127.0.0.1

test: system-deps install
	# One worker per core of the CI machine (pytest-xdist), each test file whole on one worker, so a file's fixtures
	# (a practice loaded, a Spark lake) are built once: xdist_group marks and --dist loadgroup grouped nothing here
	# (pytest-xdist 3.8.0), and the Spark parity fixtures were built twice. The 30 slowest tests are printed at the end.
	# 820 tests in 1,141 s with loadgroup, 948 s with loadfile; 986 tests in 1,039-1,091 s (2026-12-07); 1,040 tests in
	# 995-1,060 s with the longest files first (2026-12-08, tests/conftest.py); 1,042 tests in 836 s, 850-934 s in a clean clone, after
	# the loader's GX path and the browser tests' settle were cut (2026-12-08; target 600 s: not met).
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=30

clean:
	rm -rf $(VENV) .demo *.duckdb *.duckdb.wal *.duckdb.key *.duckdb.uploads tests/artifacts .pytest_cache

# bench/.peer holds edi-835-parser, which needs pandas<3 and so cannot share .venv.
bench/.peer/bin/python: bench/requirements-peer.txt
	$(PYTHON) -m venv bench/.peer
	bench/.peer/bin/pip install --quiet -r bench/requirements-peer.txt

bench: install bench/.peer/bin/python
	$(BIN)/python bench/parse_835.py --claims 100000
