"""Library start-up chatter stays out of every process's output (issue 18); the app's own
lines still carry their call SID."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import call_params

ROOT = Path(__file__).resolve().parents[2]
SID = "CA" + "7" * 32


def test_the_cli_starts_without_alembic_setup_plugin_lines():
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(APP_ENV="development", LOG_LEVEL="INFO")
    done = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "app", "routes"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "setup plugin" not in done.stderr + done.stdout
    assert "alembic.runtime.plugins" not in done.stderr + done.stdout


def test_library_info_is_quiet_but_the_apps_info_keeps_its_call_sid(
        app, signed_post, json_logs, monkeypatch):
    json_logs.stream.truncate(0)
    logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.whatever")
    logging.getLogger("alembic.runtime.plugins").warning("a plugin failed")
    said = logging.getLogger("app.ivr.flow")
    original = __import__("app.ivr.flow", fromlist=["CallFlow"]).CallFlow.incoming

    def chatty(self, call):
        said.info("answering")
        return original(self, call)

    monkeypatch.setattr("app.ivr.flow.CallFlow.incoming", chatty)
    assert signed_post("/ivr/incoming", call_params(CallSid=SID)).status_code == 200
    messages = {e["message"]: e for e in json_logs.entries()}
    assert "setup plugin alembic.whatever" not in messages
    assert "a plugin failed" in messages  # warnings still show
    assert messages["answering"]["call_sid"] == SID


def test_migrating_says_what_it_upgrades_and_nothing_else(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(APP_ENV="development", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade = [str(Path(sys.executable).parent / "flask"), "--app", "app", "db", "upgrade"]
    first = subprocess.run(upgrade, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert first.returncode == 0, first.stderr
    assert "Running upgrade" in first.stderr
    assert "Context impl" not in first.stderr
    again = subprocess.run(upgrade, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0 and again.stderr + again.stdout == ""  # `make run`, each time
