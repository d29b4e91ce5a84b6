import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_engine_the_environment_names():
    # The PostgreSQL pass of `make test` must really run on PostgreSQL, not fall back to SQLite.
    expected = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
    if expected == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
