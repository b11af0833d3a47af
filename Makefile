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

.PHONY: help serve site test lint run status clean

help:
	@echo "make serve   build both languages and serve the book on http://127.0.0.1:$(PORT)/"
	@echo "make test    run the whole test suite (lint, d2lref, snippets, pages, site, browser)"
	@echo "make site    strict build of both languages into site/"
	@echo "make run     run snippets and store outputs (MODE=quick|full, SNIPPETS=paths)"
	@echo "make status  fresh / stale / missing outputs per snippet"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.docs-installed: requirements/docs.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements/docs.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.ci-installed: requirements/ci.txt requirements/docs.txt requirements/torch.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements/ci.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.docs-installed

# Chinese first: its build cleans site/, the English build then fills site/en/.
site: $(VENV)/.docs-installed
	$(BIN)/mkdocs build --strict -q -f mkdocs.yml
	$(BIN)/mkdocs build --strict -q -f mkdocs.en.yml

serve: $(VENV)/.docs-installed
	$(BIN)/mkdocs build -q -f mkdocs.yml
	$(BIN)/mkdocs build -q -f mkdocs.en.yml
	@echo "Serving the book on http://127.0.0.1:$(PORT)/ (English: /en/). Ctrl+C stops."
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory site

lint: $(VENV)/.ci-installed
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup

run: $(VENV)/.ci-installed
	$(BIN)/python -m d2lref.book run $(SNIPPETS) --mode $(MODE)

status: $(VENV)/.docs-installed
	$(BIN)/python -m d2lref.book status

clean:
	rm -rf site test-artifacts docs/zh/notebooks docs/en/notebooks
