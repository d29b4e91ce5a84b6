# The front door: `make run` serves the demo site, `make test` runs every test (README).
SHELL := /bin/bash
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
UV := $(CURDIR)/tools/bin/uv
PY312 = $(shell bash scripts/find-python.sh)
LLRC := $(CURDIR)/.venv/bin/llrc
MO := llrc/web/locale/zh_Hans/LC_MESSAGES/django.mo

.PHONY: run setup test test-sqlite test-postgres test-browser lint fmt bench messages clean

$(UV):
	python3 -m venv tools && tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	@bash scripts/find-python.sh >/dev/null
	$(UV) sync --frozen --python "$(PY312)"
	@touch $@

$(MO): llrc/web/locale/zh_Hans/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

setup: .venv/.synced $(MO)

run: setup
	$(LLRC) init --demo
	$(LLRC) serve --port $(PORT)

test: setup
	bash scripts/system-packages.sh
	$(CURDIR)/.venv/bin/lint-imports --no-cache
	$(CURDIR)/.venv/bin/mypy
	bash scripts/test-all.sh

test-sqlite: setup
	.venv/bin/pytest -m "not browser" -q

test-browser: setup
	bash scripts/system-packages.sh
	.venv/bin/pytest -m browser -q

test-postgres: setup
	for backend in tantivy postgres; do LLRC_TEST_SEARCH_BACKEND=$$backend bash scripts/with-postgres.sh .venv/bin/pytest -m "not browser" -q tests/catalogue tests/api tests/search || exit 1; done

lint: setup
	.venv/bin/ruff check llrc tests bench
	.venv/bin/ruff format --check llrc tests bench
	.venv/bin/lint-imports --no-cache
	.venv/bin/mypy

fmt: setup
	.venv/bin/ruff format llrc tests bench
	.venv/bin/ruff check --fix llrc tests bench

bench: setup
	.venv/bin/python bench/search.py

# One run over the whole package from the top: every app's strings go to LOCALE_PATHS (llrc/web/locale).
# Run from llrc/web it read the templates and web code only, and --no-obsolete then dropped the
# translations of the catalogue's, the admin's and the library's messages.
messages: setup
	$(LLRC) makemessages -l zh_Hans --no-obsolete -i tests -i bench -i tools -i .venv

clean:
	rm -rf .venv tools var
