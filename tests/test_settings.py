from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from pytest_django import DjangoDbBlocker

from backpainlog.settings import env_bool, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("on", True), ("YES", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_env_int_refuses_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_HOSTS", " a.example , ,b.example")
    assert env_list("SOME_HOSTS") == ["a.example", "b.example"]


def test_tests_run_with_debug_off() -> None:
    assert settings.DEBUG is False


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite connection options")
def test_sqlite_file_database_uses_wal_immediate_transactions_and_a_busy_timeout(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    config = copy.deepcopy(settings.DATABASES["default"])
    config["NAME"] = str(tmp_path / "check.sqlite3")
    wrapper = DatabaseWrapper(dict(config), alias="wal-check")
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
        assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    finally:
        wrapper.close()


def import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, as ``manage.py`` would, with ``env``."""
    return subprocess.run(
        [sys.executable, "-c", "import backpainlog.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        env={**os.environ, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("url", ["nonsense://db", "postgres://user@host:port/db"])
def test_a_bad_database_url_is_a_configuration_error(url: str) -> None:
    result = import_settings(DATABASE_URL=url)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is not a database URL" in result.stderr


def test_an_empty_database_url_means_sqlite() -> None:
    result = import_settings(DATABASE_URL="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_a_bad_log_level_is_a_configuration_error() -> None:
    result = import_settings(DJANGO_LOG_LEVEL="loud")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_LOG_LEVEL must be" in result.stderr
