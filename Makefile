# Quick start: `make demo` runs the main job end to end, `make test` runs the whole test suite.
# Both create .venv on first use and install what they need into it: the demo only the runtime
# dependencies, the tests also the test extra (pygambit builds from source there: ~10 minutes once).
PYTHON ?= python3
VENV := .venv
BASE_STAMP := $(VENV)/.installed-base
TEST_STAMP := $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(BASE_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@ $(BASE_STAMP)

.PHONY: demo test bench browser lint docs
demo: $(BASE_STAMP)
	$(VENV)/bin/bargain demo

# In CI (CI=true, as root, on Debian) the report's browser test gets Debian's Chromium; elsewhere
# that one test skips with its reason when no browser is found.
browser:
	@if [ "$$CI" = "true" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	    && ! command -v chromium >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium could not be installed; the browser test will skip"; \
	fi

test: $(TEST_STAMP) browser
	$(VENV)/bin/python -m pytest -n auto

bench: $(TEST_STAMP)
	$(VENV)/bin/python -m benchmarks.run

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

# The documentation site into site/: guides, the notebooks (run while building) and the API
# reference from the docstrings; warnings are errors.
docs: $(TEST_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict
