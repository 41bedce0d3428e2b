"""Shared fixtures: a real redis-server, a temporary SQLite database, signed webhooks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.etree import ElementTree

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from twilio.request_validator import RequestValidator

from app import create_app
from app.embedded_redis import EmbeddedRedis
from app.extensions import db
from config import TestingConfig

PUBLIC_BASE_URL = "https://callcentre.example.test"
AUTH_TOKEN = "test-auth-token"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), appendonly=False).start()
    yield server
    server.stop()


def make_settings(db_path: Path, redis_url: str, **overrides) -> TestingConfig:
    return TestingConfig(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}",
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        **overrides,
    )


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


@pytest.fixture
def app(tmp_path: Path, redis_server: EmbeddedRedis, migrated_database: Path) -> Iterator[Flask]:
    database = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_database, database)
    app = create_app(make_settings(database, redis_server.url))
    redis.Redis.from_url(redis_server.url).flushdb()
    yield app


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
