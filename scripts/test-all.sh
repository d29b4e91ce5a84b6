#!/usr/bin/env bash
# Every test: the whole suite on SQLite (browser tests included), then the catalogue, search and API
# tests again on PostgreSQL on loopback, once with each search backend (tantivy, then the PostgreSQL
# full-text backend: LLRC_TEST_SEARCH_BACKEND, read by tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
echo "== SQLite: all tests (browser tests in Debian Chromium) =="
.venv/bin/pytest -q -p no:cacheprovider || status=$?
for backend in tantivy postgres; do
  echo "== PostgreSQL, search backend $backend: catalogue, search and API tests =="
  LLRC_TEST_SEARCH_BACKEND=$backend bash scripts/with-postgres.sh .venv/bin/pytest -q -p no:cacheprovider -m "not browser" tests/catalogue tests/search tests/api || status=$?
done
exit $status
