#!/usr/bin/env bash
# Every test: the whole suite on SQLite (browser tests included), then the catalogue, search and API
# tests again on PostgreSQL on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
echo "== SQLite: all tests (browser tests in Debian Chromium) =="
.venv/bin/pytest -q -p no:cacheprovider || status=$?
echo "== PostgreSQL: catalogue, search and API tests =="
bash scripts/with-postgres.sh .venv/bin/pytest -q -p no:cacheprovider -m "not browser" tests/catalogue tests/search tests/api || status=$?
exit $status
