"""`flask agents seed-demo`: the sign-ins `make run` prints, for development only."""

from __future__ import annotations

from app.agents.cli import DEMO_PASSWORD
from app.extensions import db
from app.ivr.seed import seed
from tests.web.conftest import sign_in


def _seed_departments(app) -> None:
    with app.app_context():
        seed()
        db.session.commit()


def test_demo_accounts_sign_in_to_their_pages_and_a_second_run_changes_nothing(
        app, client, monkeypatch):
    _seed_departments(app)
    monkeypatch.setenv("APP_ENV", "development")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["agents", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "supervisor sam: created" in first.output
    again = runner.invoke(args=["agents", "seed-demo"])
    assert again.output.count("already there") == 3

    assert sign_in(client, "alice", DEMO_PASSWORD).headers["Location"] == "/console"
    assert client.get("/console").status_code == 200
    supervisor = app.test_client()  # another browser
    assert sign_in(supervisor, "sam", DEMO_PASSWORD).status_code == 302
    assert supervisor.get("/", follow_redirects=False).headers["Location"].endswith("/supervisor")
    assert supervisor.get("/supervisor").status_code == 200


def test_demo_accounts_are_refused_outside_development(app, monkeypatch):
    _seed_departments(app)
    monkeypatch.setenv("APP_ENV", "production")
    result = app.test_cli_runner().invoke(args=["agents", "seed-demo"])
    assert result.exit_code != 0
    assert "only in development" in result.output
