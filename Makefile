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

ZOO_JOBS ?= 2
UNIT_WORKERS ?= 2

.PHONY: all venv zoo test lint unit notebooks hub-notebooks book pdf student student-run locale check-html browser bench bench-newcomer hub clean help
# The prerequisites of `test` run in the order listed (the book is checked after it is built).
.NOTPARALLEL:

help:
	@echo "make book        build the HTML book (set-up, zoo, execute changed notebooks, strict Jupyter Book build)"
	@echo "make test        every test: lint, unit tests, every notebook under nbmake, the book, its check in a browser"
	@echo "make lint        ruff: formatting and lint of the notebooks, helpers/, tests/, scripts/ (fix: make format)"
	@echo "make zoo         build the offline checkpoint zoo (idempotent; ZOO_JOBS=2 entries at a time)"
	@echo "make student     student notebooks of both editions (no solutions, no outputs; one zip each) on a built book"
	@echo "make pdf         one PDF of the whole book per edition, from the built HTML (Debian's chromium; after make book)"
	@echo "make check-html  the browser check of the built book (needs Debian's chromium and fonts-noto-cjk)"
	@echo "make bench       print the training and inference benchmark figures"
	@echo "make hub-notebooks  every chapter in hub mode, against tiny random twins of the seed's checkpoints (REAL=1: the hub)"
	@echo "make hub         export the zoo as hub repositories (HUB_DIR) and serve them on 127.0.0.1:HUB_PORT"

# uv installs the pinned requirements (about 15 s where pip takes over 3 min). uv doesn't read pip's
# configuration, so pip's find-links (where a machine keeps its torch wheel) are passed on as UV_FIND_LINKS.
# --compile-bytecode writes the .pyc files once (about 45 s on 2 cores) as pip does by default and uv does not:
# where PYTHONDONTWRITEBYTECODE=1 is set (as on this project's machines) Python never writes them itself, and every
# notebook kernel, test worker and zoo build compiled each module it imports again (setup_chapter: 9.1 s -> 2.7 s).
UV_VERSION := 0.13.8
ifndef UV_FIND_LINKS
UV_FIND_LINKS := $(or $(PIP_FIND_LINKS),$(shell $(PYTHON) -m pip config list 2>/dev/null | sed -n "s/^[^=]*find-links='\(.*\)'$$/\1/p" | head -1))
endif
export UV_FIND_LINKS

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $@

venv: $(STAMP)

# Independent entries build at the same time, each in its own process with one torch thread (reproducible scores).
zoo: venv
	HFBOOK_THREADS=$${HFBOOK_THREADS:-1} $(PY) -m helpers.zoo build --jobs $(ZOO_JOBS)

# The unit tests run with HOME set to an empty folder and HFBOOK_HOME to the zoo: code or a test that reads the
# default location (~/.cache/hfbook) instead of $HFBOOK_HOME fails here, as it would for a reader who set it.
unit: zoo
	zoo_home=$$($(PY) -c 'from helpers.zoo.core import home; print(home())'); \
	scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	HFBOOK_HOME="$$zoo_home" HOME="$$scratch" $(PY) -m pytest tests/ -n $(UNIT_WORKERS) -p no:cacheprovider

# Notebooks are staged in _site/ (not under _build: nbmake skips any path containing "_build"). `make notebooks` and
# `make book` execute there with nbmake each notebook whose inputs changed since it last ran cleanly (the same
# freshness key, scripts/stage_book.py: the notebook, helpers/, book/scripts/, the zoo manifest, the pins; all of them
# on a fresh clone, and all with `make notebooks ALL=1`); `make book` then renders _site with execution off. So each
# notebook runs at most once per `make test`, and not at all in a `make test` right after a `make book`.
# They run with TMPDIR set to a fresh folder that must be empty afterwards (scripts/tmp_check.py lists what is left).
NBTMP := $(abspath _build)/nbtmp
NBMAKE := rm -rf $(NBTMP) && mkdir -p $(NBTMP) && TMPDIR=$(NBTMP) HFBOOK_THREADS=1 $(PY) -m pytest --nbmake --overwrite --nbmake-timeout=900 --durations=0 -n $(NBMAKE_WORKERS) -p no:cacheprovider

notebooks: zoo
	$(PY) scripts/stage_book.py prepare $(SITE)$(if $(ALL), --all)
	if [ -s $(SITE)/to-execute.txt ]; then $(NBMAKE) $$(cat $(SITE)/to-execute.txt); $(PY) scripts/tmp_check.py $(NBTMP); fi
	$(PY) scripts/stage_book.py mark $(SITE)

# Hub mode (HFBOOK_HUB=1) on every commit: tiny random twins of the seed's hub checkpoints (helpers/twins.py), served
# by a local hub that the script starts and stops itself (HFBOOK_HUB_TWINS=1, HF_ENDPOINT, an empty HF_HOME; nothing
# is left behind). REAL=1: the same path against the real hub (the GPU workflow); HUB_OUT=DIR keeps the executed
# notebooks; HUB_NOTEBOOKS="08_summarization_translation ..." runs only those.
hub-notebooks: zoo
	HFBOOK_THREADS=1 $(PY) scripts/hub_notebooks.py --workers $(NBMAKE_WORKERS) $(if $(REAL),--real) \
		$(if $(HUB_OUT),--out $(HUB_OUT)) $(HUB_NOTEBOOKS)

# No root and no browser needed: the browser check is part of `make test`.
book: zoo
	$(PY) scripts/stage_book.py prepare $(SITE)
	if [ -s $(SITE)/to-execute.txt ]; then $(NBMAKE) $$(cat $(SITE)/to-execute.txt); $(PY) scripts/tmp_check.py $(NBTMP); fi
	$(PY) scripts/stage_book.py mark $(SITE)
	# the two editions build at the same time, one core each; the English build's log is printed when both are done
	$(VENV)/bin/jupyter-book build $(SITE) --path-output _build/en -W -n --keep-going >$(SITE)/build-en.log 2>&1 & en=$$!; \
	zh=0; $(VENV)/bin/jupyter-book build $(SITE) --config $(SITE)/_config.zh_CN.yml --toc $(abspath $(SITE))/_toc.zh_CN.yml --path-output _build/zh_CN -W -n --keep-going || zh=$$?; \
	status=0; wait $$en || status=$$?; cat $(SITE)/build-en.log; \
	if [ $$status != 0 ] || [ $$zh != 0 ]; then echo "make book: the English build exited $$status, the Chinese $$zh" >&2; exit 1; fi
	$(PY) scripts/translate_notebooks.py $(SITE) _build/zh_CN/_build/html zh_CN
	$(PY) scripts/edition_branch.py $(SITE)/_config.zh_CN.yml _build/zh_CN/_build/html _build/branches
	$(PY) scripts/assemble_site.py _build
	$(PY) scripts/student.py _build/html

# Student notebooks (make book writes them last; this redoes it on a built book): each chapter of each edition without
# solutions and outputs, the exercises kept, in _build/html/<edition>/student/ with one zip per edition.
student: venv
	$(PY) scripts/student.py _build/html

# Executes the student notebooks of the built English edition (the cells tagged `exercise` left out) under nbmake.
student-run: zoo
	rm -rf _student_run && mkdir -p _student_run
	$(PY) scripts/student.py _build/html --runnable _student_run $(if $(CHAPTERS),--only $(CHAPTERS))
	HFBOOK_THREADS=1 $(PY) -m pytest --nbmake --nbmake-timeout=900 -n $(NBMAKE_WORKERS) -p no:cacheprovider _student_run

# ruff reads the notebooks natively; book/ruff.toml keeps the chapters' code at 80 columns (what the page shows).
lint: venv
	$(VENV)/bin/ruff format --check . || { echo "run \`make format\` to reformat"; exit 1; }
	$(VENV)/bin/ruff check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint unit notebooks hub-notebooks book pdf check-html

# Debian's chromium and CJK fonts: installed when run as root (CI, containers); otherwise the exact command to run.
browser:
	scripts/browser_deps.sh

# One PDF per edition (_build/html/<edition>/_downloads/), printed from the built HTML by the browser check's chromium:
# offline, no root once chromium is there; prints each edition's seconds.
pdf: venv browser
	$(PY) scripts/book_pdf.py _build/html $(SITE)/_toc.yml

# The built HTML in headless Debian chromium driven by Playwright (never a browser download): every page loads
# without console errors, outputs/images/launch buttons, search, navigation; a screenshot in _build/screenshots.
check-html: venv browser
	HFBOOK_CHECK_HTML=1 $(PY) -m pytest tests/book_html -p no:cacheprovider

# After changing English text: new messages arrive untranslated, changed ones fuzzy (tests/test_catalogues.py fails
# until locale/zh_CN/LC_MESSAGES/book/*.po are translated again).
locale: venv
	$(PY) scripts/catalogues.py update

bench: zoo
	$(PY) scripts/bench.py

# A newcomer's path: a fresh venv with one chapter's packages, then that chapter run from an empty zoo (figures).
bench-newcomer: venv
	$(PY) scripts/bench_newcomer.py $(if $(CHAPTER),--chapter $(CHAPTER))

# A local hub (olah, offline) serving the zoo as hub repositories in the foreground; Ctrl-C stops it.
# Then: HF_ENDPOINT=http://127.0.0.1:$(HUB_PORT) python -c 'from transformers import AutoModel; AutoModel.from_pretrained("hfbook/minilm")'
HUB_DIR ?= _hub
HUB_PORT ?= 8090
hub: zoo
	$(PY) -m helpers.zoo export-repos $(HUB_DIR)
	$(PY) -m helpers.local_hub serve $(HUB_DIR) --port $(HUB_PORT)

clean:
	rm -rf _build _site _hub
