# The targets behind the README's two commands. Each does its own set-up; a second run is quick.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SITE := _site
NBMAKE_WORKERS ?= 2
# Notebooks executed by nbmake or the book build print text progress bars (see helpers/setup.py).
export HFBOOK_EXECUTING := 1

.PHONY: all venv zoo test unit notebooks book bench clean help

help:
	@echo "make book   build the HTML book (set-up, zoo, execute notebooks, strict Jupyter Book build)"
	@echo "make test   run every test: unit tests, then every notebook under nbmake"
	@echo "make zoo    build the offline checkpoint zoo (idempotent)"
	@echo "make bench  print the training and inference benchmark figures"

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $@

venv: $(STAMP)

zoo: venv
	HFBOOK_THREADS=$${HFBOOK_THREADS:-1} $(PY) -m helpers.zoo build

unit: zoo
	$(PY) -m pytest tests/ -p no:cacheprovider

# Notebooks are staged in _site/ (not under _build: nbmake skips any path containing "_build"). `make test`
# executes every one of them there with nbmake; `make book` executes only those whose source changed since (or all,
# on a fresh clone), then renders _site with execution off, so each notebook runs once per CI run.
NBMAKE := HFBOOK_THREADS=1 $(PY) -m pytest --nbmake --overwrite --nbmake-timeout=900 --durations=0 -n $(NBMAKE_WORKERS) -p no:cacheprovider

notebooks: zoo
	$(PY) scripts/stage_book.py prepare $(SITE) --all
	$(NBMAKE) $$(cat $(SITE)/to-execute.txt)
	$(PY) scripts/stage_book.py mark $(SITE)

test: unit notebooks

book: zoo
	$(PY) scripts/stage_book.py prepare $(SITE)
	if [ -s $(SITE)/to-execute.txt ]; then $(NBMAKE) $$(cat $(SITE)/to-execute.txt); fi
	$(PY) scripts/stage_book.py mark $(SITE)
	$(VENV)/bin/jupyter-book build $(SITE) --path-output _build -W -n --keep-going
	@echo "The book is at _build/_build/html/index.html"
	$(MAKE) check-html

# The built HTML in headless Debian chromium driven by Playwright (never a browser download): every page loads
# without console errors, outputs/images/launch buttons, search, navigation; a screenshot in _build/screenshots.
.PHONY: check-html
check-html: venv
	command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	HFBOOK_CHECK_HTML=1 $(PY) -m pytest tests/book_html -p no:cacheprovider

bench: zoo
	$(PY) scripts/bench.py

clean:
	rm -rf _build _site
