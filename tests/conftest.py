"""Shared fixtures: a real redis-server, a temporary database, signed webhooks.

The database is SQLite, one file per test copied from a migrated template; with
TEST_DATABASE_URL set (a PostgreSQL URL, see `make test-pg`) it is one PostgreSQL database per
test instead, cloned from a migrated template database with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.etree import ElementTree

import freezegun
import psycopg
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from app import create_app
from app.embedded_redis import EmbeddedRedis
from app.extensions import db
from app.floor.languages import LANGUAGES
from config import TestingConfig
from tests.parallel import pytest_xdist_make_scheduler  # noqa: F401 - how -n shares the files

# Without APP_ENV the app takes production's settings: the tests say what they are, for
# anything here (or started from here) that reads it.
os.environ["APP_ENV"] = "testing"

PUBLIC_BASE_URL = "https://callcentre.example.test"
AUTH_TOKEN = "test-auth-token"
# Test agents speak every language unless a test is about languages: a test of another
# behaviour is not made to wait for the ladder's any_language step by the caller it picked.
EVERY_LANGUAGE = list(LANGUAGES)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# A test's database file path -> its PostgreSQL database's URL, so that `make_settings` on
# that path (a second app over the same database) reaches the same database.
_POSTGRES_BY_PATH: dict[Path, str] = {}
_DATABASE_NUMBERS = itertools.count()
# pytest's own clock (--durations, the run's total) reads real time while a test freezes it.
freezegun.configure(extend_ignore_list=["_pytest.timing"])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), appendonly=False).start()
    yield server
    server.stop()


def make_settings(db_path: Path, redis_url: str, **overrides) -> TestingConfig:
    url = _POSTGRES_BY_PATH.get(db_path, f"sqlite:///{db_path}")
    return settings_for_database(url, redis_url, **overrides)


def settings_for_database(database_url: str, redis_url: str, **overrides) -> TestingConfig:
    return TestingConfig(
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        **overrides,
    )


def postgres_admin(url: str = "") -> psycopg.Connection:
    """An autocommit connection to the server of `url` (default TEST_DATABASE_URL)."""
    conninfo = make_url(url or TEST_DATABASE_URL).set(drivername="postgresql")
    return psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True)


def postgres_database_url(name: str) -> str:
    """TEST_DATABASE_URL with its database name replaced by `name`."""
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def create_postgres_database(name: str, template: str | None = None) -> str:
    with postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        clone = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{clone}')
    return postgres_database_url(name)


def drop_postgres_database(name: str) -> None:
    # FORCE: a test may leave a second app's pooled connections open.
    with postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dispose_engine(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory,
                      redis_server: EmbeddedRedis) -> Path:
    """A database built by the real migrations, once; each test gets a copy of the file."""
    template = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    with create_app(make_settings(template, redis_server.url)).app_context():
        upgrade()
        # Closing the last connection checkpoints SQLite's write-ahead log into the file.
        db.engine.dispose()
    return template


@pytest.fixture(scope="session")
def postgres_template(redis_server: EmbeddedRedis) -> Iterator[str]:
    """With TEST_DATABASE_URL: a database built by the real migrations, once, named here;
    each test's database is cloned from it."""
    # Names carry the process id: several test runs may share one server.
    name = f"cc_template_{os.getpid()}"
    app = create_app(settings_for_database(create_postgres_database(name), redis_server.url))
    with app.app_context():
        upgrade()
    dispose_engine(app)  # CREATE DATABASE ... TEMPLATE needs it to have no connections
    yield name
    drop_postgres_database(name)


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path, redis_server: EmbeddedRedis,
        migrated_database: Path) -> Iterator[Flask]:
    database = tmp_path / "test.sqlite3"
    if TEST_DATABASE_URL:
        name = f"cc_test_{os.getpid()}_{next(_DATABASE_NUMBERS)}"
        template = request.getfixturevalue("postgres_template")
        _POSTGRES_BY_PATH[database] = create_postgres_database(name, template)
    else:
        shutil.copyfile(migrated_database, database)
    app = create_app(make_settings(database, redis_server.url))
    redis.Redis.from_url(redis_server.url).flushdb()
    yield app
    if TEST_DATABASE_URL:
        dispose_engine(app)
        drop_postgres_database(name)
        del _POSTGRES_BY_PATH[database]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sign(url: str, params: Mapping[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, dict(params))


@pytest.fixture
def signed_post(client: FlaskClient):
    """POST form params to `path` signed exactly as Twilio signs them."""

    def post(path: str, params: Mapping[str, str], *, signature: str | None = None):
        url = PUBLIC_BASE_URL + path
        headers = {"X-Twilio-Signature": signature if signature is not None else sign(url, params)}
        return client.post(path, data=dict(params), headers=headers)

    return post


def parse_twiml(response) -> ElementTree.Element:
    """The response's TwiML document, parsed; fails the test if it is not TwiML."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == "Response"
    return root


def call_params(**overrides: str) -> dict[str, str]:
    params = {
        "CallSid": "CA" + "a" * 32,
        "AccountSid": "AC" + "0" * 31 + "1",
        "From": "+14155550100",
        "To": "+15005550006",
        "CallStatus": "ringing",
        "ApiVersion": "2010-04-01",
        "Direction": "inbound",
    }
    params.update(overrides)
    return params
