# The course's two commands:
#   make html   build the website into _build/html, executing every notebook
#   make test   lint, unit tests of optimlib, every notebook in _toc.yml under nbval, book checks
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
.PHONY: help html test lint pytest serve strip clean distclean

help:
	@echo "make html       build the website into _build/html"
	@echo "make test       ruff, unit tests, nbval over the notebooks in _toc.yml, book checks"
	@echo "make serve      serve _build/html on http://localhost:$(PORT)"
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

# To add: the site build and the browser tests (`test: lint pytest html test-browser`).
test: lint pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .

# One pytest run, two workers: the tests in tests/ and every notebook listed in _toc.yml.
# --dist loadfile keeps each notebook's cells on one worker, in order.
pytest: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_FLAGS) $(NBVAL_FLAGS) tests $$($(BIN)/python tools/toc.py)

serve: html
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

strip: $(INSTALLED)
	$(BIN)/python tools/strip_notebooks.py

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV)
