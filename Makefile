# Every target sets up what it needs from nothing: a fresh clone needs python3, node and npm.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := contracts/node_modules/.installed-stamp
# Foundry's cast and forge, ethers and viem (npm), run by tests/clients (make compat) against a
# started og devnet
CLIENTS_STAMP := tests/clients/node_modules/.installed-stamp
# Hardhat 3 and the Node 22 it needs (npm), for examples/hardhat, run by tests/clients/test_hardhat.py
HARDHAT_STAMP := examples/hardhat/node_modules/.installed-stamp

.PHONY: demo test compat packaging bench fuzz contracts fixtures lint typecheck docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[devnet,dev]'
	touch $@

$(NODE_STAMP): contracts/package.json contracts/package-lock.json
	cd contracts && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CLIENTS_STAMP): tests/clients/package.json tests/clients/package-lock.json
	cd tests/clients && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Twice: under a node older than 22, npm skips Hardhat's native EDR package (engines: node >= 22);
# the second npm ci runs under the Node 22 the first one installed (node_modules/.bin/node).
$(HARDHAT_STAMP): examples/hardhat/package.json examples/hardhat/package-lock.json
	cd examples/hardhat && npm ci --no-audit --no-fund --loglevel=error
	cd examples/hardhat && PATH="$$PWD/node_modules/.bin:$$PATH" npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: $(STAMP)
	$(VENV)/bin/og demo

# Everything but make compat's suites (tests/compat and tests/clients: other clients, installed
# from PyPI and npm), which are collected only by path. Needs the venv and the pinned solc.
# Three workers on two CPUs: about a fifth of the run is tests waiting on timeouts and sockets,
# time a third worker fills; a worker that runs out steals queued tests from the others.
# The sources are byte-compiled first (0.3 s; nothing when up to date): where
# PYTHONDONTWRITEBYTECODE is set, as on this project's 2-CPU machine, each of the run's ~50
# Python processes (workers, og devnet, og) would otherwise compile the modules it imports,
# on every run of a fresh clone; without it, the three workers would all compile them at once.
# pytest may write its assertion-rewritten test modules too (PYTHONDONTWRITEBYTECODE empty):
# else each worker rewrites every test module on every run, about 1.5 s of CPU each.
test: $(STAMP) $(NODE_STAMP)
	$(PY) -m compileall -q -x node_modules sdk simulator tests
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -n 3 --dist worksteal

# Other clients against og devnet; .ci/run runs it after `make test`.
# tests/compat: the official opengradient clients (0.7.5 and 1.1.4) side by side with og_alpha.
# Each runs in its own venv, built from PyPI on the first run and cached in .cache/compat
# (tests/compat/envs.py); without the registry the first run fails, it never passes silently.
# tests/clients: Foundry's cast and forge, ethers, viem and Hardhat 3, installed from npm.
compat: $(STAMP) $(NODE_STAMP) $(CLIENTS_STAMP) $(HARDHAT_STAMP)
	$(PY) tests/compat/envs.py
	$(PY) -m pytest -q -p no:xdist tests/compat
	$(PY) -m pytest -q -n 2 tests/clients

BENCH_STAMP := bench/node_modules/.installed-stamp

$(BENCH_STAMP): bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# anvil (npm) is a benchmark-only dependency: installed here, never by `make test`
bench: $(STAMP) $(NODE_STAMP) $(BENCH_STAMP)
	$(PY) bench/run.py

# Bounded: FUZZ_SECONDS per target (5 targets), then the loopback load test. Not part of `make test`,
# which runs a short deterministic slice (tests/reliability/test_fuzz_slice.py).
FUZZ_SECONDS ?= 30
fuzz: $(STAMP) $(NODE_STAMP)
	$(PY) fuzz/run.py --seconds $(FUZZ_SECONDS)
	$(PY) -m pytest -q -p no:xdist tests/load --og-load

contracts: $(NODE_STAMP)
	node contracts/build.js

fixtures: $(STAMP)
	$(PY) fixtures/make_fixtures.py

# The wheel built by `python -m build` and installed into fresh venvs (with and without the
# devnet extra), run from outside the checkout. About 70 s with pip's cache warm; it installs
# from PyPI, so `make test` does not collect tests/packaging/wheel.
packaging: $(STAMP)
	$(PY) -m pytest -q -p no:xdist tests/packaging/wheel

LINTED := sdk simulator tests fixtures bench examples fuzz docs

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

# Strict for the SDK, mypy's defaults for the devnet ([tool.mypy] in pyproject.toml).
typecheck: $(STAMP)
	$(VENV)/bin/mypy

# The architecture page and the API reference into site/; any warning fails the build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

clean:
	rm -rf $(VENV) site contracts/node_modules tests/clients/node_modules examples/hardhat/node_modules .cache/compat
