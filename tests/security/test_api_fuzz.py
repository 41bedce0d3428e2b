"""The JSON API fuzzed from its own OpenAPI document (schemathesis): whatever is sent, no
5xx but the documented 502 of an unreachable Twilio, and every error in the one shape.

Deterministic (derandomized) and bounded (EXAMPLES per operation), as the operator, an
agent and a supervisor, over demo data, so the requests reach real rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis as redis_lib
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from app import create_app
from app.agents import services as agents
from app.api_docs.document import build_document
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.security.conftest import ADMIN_TOKEN, PASSWORD

EXAMPLES = 4
# Only these may answer 5xx: the API says Twilio was unreachable (the tests have no Twilio).
UPSTREAM = {502, 503}


def _is_event_stream(document: dict, path: str, method: str) -> bool:
    """A live feed never ends, so there is no answer to check (their replay ids are unit
    tested by their owners)."""
    responses = document["paths"][path][method].get("responses") or {}
    return any("text/event-stream" in (r.get("content") or {}) for r in responses.values())


def _labels() -> list[str]:
    document = build_document()
    operations = schemathesis.openapi.from_dict(document).get_all_operations()
    return sorted(op.label for op in (r.ok() for r in operations)
                  if not _is_event_stream(document, op.path, op.method.lower()))


@dataclass
class Target:
    app: Flask
    schema: object
    tokens: list[str]


@pytest.fixture(scope="module")
def target(tmp_path_factory, redis_server, migrated_database) -> Iterator[Target]:
    """One app (and database) for the whole module: the fuzzing changes rows as it goes,
    which only makes later requests meet more varied data."""
    database = tmp_path_factory.mktemp("api-fuzz") / "fuzz.sqlite3"
    if TEST_DATABASE_URL:
        pytest.skip("the API fuzz runs on SQLite only (it needs one database per module)")
    shutil.copyfile(migrated_database, database)
    app = create_app(make_settings(database, redis_server.url))
    redis_lib.Redis.from_url(redis_server.url).flushdb()
    result = app.test_cli_runner().invoke(args=["ivr", "seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        agents.create_agent("Fuzz Agent", "fuzz_agent", departments=["billing"],
                            password=PASSWORD)
        agents.create_agent("Fuzz Supervisor", "fuzz_sup", role="supervisor",
                            departments=["billing", "sales"], password=PASSWORD)
        db.session.commit()
    client = app.test_client()
    tokens = [ADMIN_TOKEN, "not-a-token"]
    for identity in ("fuzz_agent", "fuzz_sup"):
        answer = client.post("/api/agents/login",
                             json={"identity": identity, "password": PASSWORD})
        tokens.append(answer.get_json()["token"])
    yield Target(app, schemathesis.openapi.from_wsgi("/api/openapi.json", app), tokens)


def check_error_shape(response) -> None:
    status = response.status_code
    assert status < 500 or status in UPSTREAM, (status, response.text[:500])
    if status >= 400:
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"{status} without a JSON error: {response.text[:200]}") from None
        assert isinstance(body, dict) and set(body) == {"error"}, body
        error = body["error"]
        assert set(error) == {"id", "message", "details"}, body
        assert isinstance(error["id"], str) and error["id"], body
        assert isinstance(error["message"], str), body
        assert isinstance(error["details"], dict), body


@pytest.mark.parametrize("label", _labels())
def test_the_api_answers_garbage_with_documented_errors(target, label):
    operation = next(r.ok() for r in target.schema.get_all_operations()
                     if r.ok().label == label)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                      operation.as_strategy(GenerationMode.NEGATIVE))

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def call(case):
        for token in target.tokens:
            check_error_shape(case.call(headers={"Authorization": f"Bearer {token}"}))

    call()
