"""DATABASE_URL as hosting providers hand it out still reaches the driver we install."""

from __future__ import annotations

import pytest

from config import DevelopmentConfig


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://u:p@db.example:5432/cc", "postgresql+psycopg://u:p@db.example:5432/cc"),
    ("postgresql://u:p@db.example/cc", "postgresql+psycopg://u:p@db.example/cc"),
    ("postgresql+psycopg://db.example/cc", "postgresql+psycopg://db.example/cc"),
    ("sqlite:////srv/cc.sqlite3", "sqlite:////srv/cc.sqlite3"),
])
def test_database_url_is_given_the_installed_driver(monkeypatch, given, used):
    monkeypatch.setenv("DATABASE_URL", given)
    uri = DevelopmentConfig().SQLALCHEMY_DATABASE_URI
    assert uri == used
