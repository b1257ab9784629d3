# The course's two commands:
#   make html   build the website into _build/html, executing every notebook
#   make test   lint, unit tests of optimlib, every notebook in _toc.yml under nbval, book checks,
#               then the site: build it and test every page in headless Chromium
# Both create .venv and install requirements.txt into it first (again whenever
# requirements.txt or pyproject.toml changes). Needs only Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamp files: make reinstalls when the file they depend on is newer.
INSTALLED := $(VENV)/.installed
VENDOR := _build/assets/_static/vendor/installed.json

# Sphinx warnings are errors (-W), unresolved references warn (-n), and all of them are
# reported before the build fails (--keep-going).
JB_FLAGS := -W -n --keep-going
PYTEST_FLAGS := -n 2 --dist loadfile
NBVAL_FLAGS := --nbval-lax --nbval-current-env --nbval-cell-timeout=120
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help html test lint pytest test-site serve strip clean distclean

help:
	@echo "make html       build the website into _build/html"
	@echo "make test       ruff, unit tests, nbval over the notebooks in _toc.yml, book checks,"
	@echo "                then make html and test-site"
	@echo "make test-site  the browser tests of the built site (tests/site), after make html"
	@echo "make serve      serve _build/html on http://localhost:$(PORT)"
	@echo "make bench      time the live widgets, Adam, a sweep, the build and the tests"
	@echo "                (BENCH_FLAGS=--quick: without the build and tests); see benchmarks/"
	@echo "make strip      clear outputs and execution counts from chapters/*.ipynb"
	@echo "make clean      remove _build (the site, the execution cache, the vendored JS)"
	@echo "make distclean  also remove .venv"

$(INSTALLED): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed: make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	touch $@

# MathJax, RequireJS and the widgets HTML manager, pinned in the script (see its docstring).
$(VENDOR): tools/fetch_vendor.py | $(INSTALLED)
	$(BIN)/python tools/fetch_vendor.py

# Every file the site could depend on: all files but .venv, _build, .git and caches.
# When none is newer than the last successful build, `make html` does nothing at all.
SOURCES := $(shell find . \( -name .venv -o -name _build -o -name .git -o -name '.*_cache' \
	-o -name .hypothesis -o -name __pycache__ -o -name .ipynb_checkpoints \) -prune -o -type f -print)
BUILT := _build/html/.built
# The execution cache keys on a notebook's code only, not on the optimlib it imports:
# when optimlib or the installed packages change, drop the cache and Sphinx's saved
# state, so that every notebook runs again.
EXEC_ENV := _build/.exec-env

$(EXEC_ENV): $(INSTALLED) $(wildcard optimlib/*.py)
	rm -rf _build/.jupyter_cache _build/.doctrees
	@mkdir -p $(@D) && touch $@

# A failed build leaves Sphinx's saved environment behind, and Sphinx re-reads only the
# documents that changed: without the rm, an unchanged rerun would pass without
# re-executing the failing notebook. The execution cache keeps the good notebooks.
$(BUILT): $(SOURCES) $(INSTALLED) $(VENDOR) $(EXEC_ENV)
	$(BIN)/jupyter-book build . $(JB_FLAGS) || { rm -f _build/.doctrees/environment.pickle; exit 1; }
	touch $@

html: $(BUILT)

test: lint pytest test-site

lint: $(INSTALLED)
	$(BIN)/ruff check .

# One pytest run, two workers: the tests in tests/ and every notebook listed in _toc.yml.
# --dist loadfile keeps each notebook's cells on one worker, in order.
pytest: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_FLAGS) $(NBVAL_FLAGS) --ignore=tests/site tests \
		$$($(BIN)/python tools/toc.py)

# The built site in headless Chromium (tests/site): every page of _toc.yml, served on
# 127.0.0.1, checked for requests to other hosts, console errors, maths, explorers, alt
# text, contrast and weight; screenshots go to _build/screenshots/, the page weights to
# _build/page_weights.json. Uses Debian's chromium (/usr/bin/chromium, or CHROMIUM=...);
# without it the browser tests are skipped and the summary (-ra) says so. One process:
# each page is visited once, and all its tests read that visit.
test-site: html
	$(BIN)/python -m pytest -ra -p no:cacheprovider tests/site

serve: html
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

strip: $(INSTALLED)
	$(BIN)/python tools/strip_notebooks.py

# The benchmarks of benchmarks/run.py: every live widget of every chapter, one Adam step on
# 10^7 float32 parameters, a 100 x 100 (lr, beta) sweep, then cold and cached `make html`
# and `make test`, timed in a scratch copy (/tmp/benchrepo) so that _build stays as it is.
# Prints a table, writes _build/bench.json and, after a complete run, benchmarks/latest.json
# and benchmarks/latest.md (the table of the book's Performance page: commit both). Fails
# when a target is missed. BENCH_FLAGS=--quick skips the build and test timings. `make test`
# runs a smoke version on tiny sizes (tests/test_benchmarks.py).
.PHONY: bench
bench: $(INSTALLED)
	$(BIN)/python benchmarks/run.py $(BENCH_FLAGS)

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV)
