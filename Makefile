# Task runner. Every target creates the virtual environment it needs (.venv) and installs
# pinned requirements into it, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MODE ?= quick
WORKERS ?= 2

export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help serve site site-timing test test-fast lint run status clean diagrams pdf dist

help:
	@echo "make serve   build both languages and serve the book on http://127.0.0.1:$(PORT)/"
	@echo "make test    run the whole test suite (lint, d2lref, snippets, pages, site, browser)"
	@echo "make test-fast  d2lref's and book/'s unit tests only (under 2 minutes)"
	@echo "make site    strict build of both languages into site/, with the book's PDFs"
	@echo "make site-timing  seconds of both builds, cold (no .cache/) and warm"
	@echo "make run     run snippets and store outputs (MODE=quick|full, SNIPPETS=paths)"
	@echo "make status  fresh / stale / missing outputs per snippet"
	@echo "make device-carry  fill .carry/ (wheels, d2l, data) for the one GPU-machine call"
	@echo "make estimate      estimated full-run time of the modern-CNN pages on one H200"
	@echo "make pdf     the whole book as one PDF per language (after make site; chromium)"
	@echo "make diagrams  render new or edited Mermaid diagrams to docs/diagrams/ (chromium)"
	@echo "make dist    d2lref's sdist and wheel into dist/ (what readers install)"

# The repository root goes on the environment's path (a .pth file): the book's own package,
# book/, is not installed (it is not in d2lref's wheel), yet mkdocs' hooks, the snippet
# runner's kernels and every tool started from the environment import it.
REPO_ON_PATH = -c 'import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], \
	"d2l-notes-repository.pth").write_text(sys.argv[1] + "\n")' "$(CURDIR)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python $(REPO_ON_PATH)

$(VENV)/.docs-installed: requirements/docs.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements/docs.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.ci-installed: requirements/ci.txt requirements/docs.txt requirements/torch.txt requirements/dist.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements/ci.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.docs-installed $(VENV)/.dist-installed

$(VENV)/.dist-installed: requirements/dist.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements/dist.txt
	touch $@

$(VENV)/.browser-installed: requirements/browser.txt $(VENV)/.docs-installed
	$(BIN)/pip install -q -r requirements/browser.txt
	touch $@

# Both languages build at once, one per core (the builds share no output: each writes its
# own docs/<lang>/notebooks/ and notebook cache). The Chinese build cleans site/, so the
# English one builds into .cache/site-en and moves to site/en/ once both have succeeded.
SITE_EN_TMP := .cache/site-en
SITE_STRICT ?= --strict
# The PDFs are printed from the built site (the home page links to them): chromium, ~1 min;
# without chromium the home pages link no PDF. PDF_ARGS=--require makes a missing one fail.
PDF_ARGS ?=
site: $(VENV)/.browser-installed
	rm -rf $(SITE_EN_TMP)
	$(BIN)/mkdocs build $(SITE_STRICT) -q -f mkdocs.en.yml -d $(SITE_EN_TMP) & en_build=$$!; \
	$(BIN)/mkdocs build $(SITE_STRICT) -q -f mkdocs.yml; zh_status=$$?; \
	wait $$en_build; en_status=$$?; \
	test $$zh_status -eq 0 && test $$en_status -eq 0
	rm -rf site/en
	mv $(SITE_EN_TMP) site/en
	$(BIN)/python -m book.pdf site $(PDF_ARGS)

# Removes .cache/ (as in a fresh checkout), then times `make site` cold and warm, and each
# language's build on its own. TIMING_ARGS=--no-strict while some stored outputs are stale.
TIMING_ARGS ?=
site-timing: $(VENV)/.docs-installed
	$(BIN)/python -m book.build_timing $(TIMING_ARGS)

serve: $(VENV)/.browser-installed
	$(BIN)/mkdocs build -q -f mkdocs.yml
	$(BIN)/mkdocs build -q -f mkdocs.en.yml
	$(BIN)/python -m book.pdf site
	@echo "Serving the book on http://127.0.0.1:$(PORT)/ (English: /en/). Ctrl+C stops."
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory site

# mypy checks d2lref and book (pyproject.toml's [tool.mypy] names them and its settings).
lint: $(VENV)/.ci-installed
	$(BIN)/ruff check .
	$(BIN)/mypy

# One thread per test worker: two workers on two cores, without threads fighting for them.
test: lint
	OMP_NUM_THREADS=1 $(BIN)/pytest -n $(WORKERS)

# The unit tests of d2lref and of the book's machinery, without snippets, site or browser:
# the quick check while changing code; `make test` before committing.
test-fast: $(VENV)/.ci-installed
	OMP_NUM_THREADS=1 $(BIN)/pytest -n $(WORKERS) -m "not slow" tests/d2lref tests/book

run: $(VENV)/.ci-installed
	$(BIN)/python -m book run $(SNIPPETS) --mode $(MODE)

status: $(VENV)/.docs-installed
	$(BIN)/python -m book status

# Printed from the built site by chromium: site/d2l-notes.pdf and site/en/d2l-notes.pdf.
# `make site` and `make serve` print them too where chromium is installed (without it, the
# home pages link no PDF); `make pdf` fails without it.
pdf: $(VENV)/.browser-installed
	$(BIN)/python -m book.pdf site --require

# Mermaid diagrams are rendered ahead of time, like outputs: the build only reads the SVGs.
diagrams: $(VENV)/.browser-installed
	$(BIN)/python -m book.hooks.diagrams

# d2lref's sdist and wheel (dist/, git-ignored): what readers install, and what the site serves
# under /dist/ with an index under /simple/ when site_url is set (the Pages build). Built with
# the pinned setuptools, no build isolation, and file times set to the last commit that
# changed the package: one commit always gives the same wheel, byte for byte, so the hash the
# notebooks pin matches both the site's wheel and a release's. twine checks the metadata.
DIST_SOURCES := d2lref pyproject.toml README.package.md LICENSE
dist: $(VENV)/.dist-installed
	rm -rf dist
	epoch=$$(git log -1 --format=%ct -- $(DIST_SOURCES) 2>/dev/null); \
	SOURCE_DATE_EPOCH=$${epoch:-315532800} $(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/python -m twine check --strict dist/*

clean:
	rm -rf site dist test-artifacts docs/zh/notebooks docs/en/notebooks

# Side-by-side benchmark against the original d2l package. d2l lives only in its own
# environment (.venv-bench) and is installed WITHOUT its dependencies: its pins would
# downgrade numpy, pandas and matplotlib. d2l 0.17.6 is the version the book pins: its
# train_ch3 and train_ch6 have the book's signatures. Its import also needs requests (and
# IPython and matplotlib-inline, which ci.txt brings).
BENCH_VENV ?= .venv-bench
BENCH_MODELS ?= lenet mlp
BENCH_EPOCHS ?= 3
BENCH_REPEATS ?= 2
BENCH_ARGS ?=

$(BENCH_VENV)/.installed: requirements/ci.txt requirements/torch.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	printf "*\n" > $(BENCH_VENV)/.gitignore
	$(BENCH_VENV)/bin/pip install -q -r requirements/ci.txt
	$(BENCH_VENV)/bin/pip install -q --no-deps d2l==0.17.6
	$(BENCH_VENV)/bin/pip install -q requests
	$(BENCH_VENV)/bin/pip install -q --no-deps -e .
	$(BENCH_VENV)/bin/python $(REPO_ON_PATH)
	touch $@

.PHONY: bench
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m book.bench compare --model $(BENCH_MODELS) \
		--epochs $(BENCH_EPOCHS) --repeats $(BENCH_REPEATS) $(BENCH_ARGS)

# The one call on a GPU machine (CONTRIBUTING.md, "Full runs on one GPU machine"): .carry/
# holds what that machine lacks, wheels built for its Python (DEVICE_PYTHON) and the data
# (from D2LREF_DATA). The call itself is `python3 -m book.bench device-run --out DIR`.
DEVICE_PYTHON ?= 3.12

.PHONY: device-carry estimate
device-carry: $(VENV)/.ci-installed
	$(BIN)/python -m book.bench device-prepare --python-version $(DEVICE_PYTHON)

estimate: $(VENV)/.ci-installed
	$(BIN)/python -m book.bench estimate
