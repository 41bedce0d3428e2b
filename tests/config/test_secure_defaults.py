"""Secure by default (issue 18): without APP_ENV the settings are production's, which refuse
the public development secrets; the checkout and the tests say what they are; live Twilio
never runs with a development secret, whatever APP_ENV says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from app import create_app
from config import DevelopmentConfig, ProductionConfig, config_for
from config import settings as settings_module
from config.settings import DEV_ADMIN_API_TOKEN, DEV_AUTH_TOKEN, DEV_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")
REAL = {
    "SECRET_KEY": "a-real-secret-key", "ADMIN_API_TOKEN": "a-real-admin-token",
    "TWILIO_AUTH_TOKEN": "a-real-auth-token", "TWILIO_ACCOUNT_SID": "AC" + "9" * 32,
    "DATABASE_URL": "sqlite:////tmp/never-opened.sqlite3", "REDIS_URL": "redis://127.0.0.1:9/0",
    "PUBLIC_BASE_URL": "https://callcentre.example.com",
}
PRODUCTION_NEEDS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TWILIO_ACCOUNT_SID",
                    "ADMIN_API_TOKEN", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")


@pytest.fixture
def bare_environment(monkeypatch, tmp_path):
    """No APP_ENV, no setting, and no .env file of the developer's to fill them in."""
    monkeypatch.setattr(settings_module, "ROOT", tmp_path)
    for name in ("APP_ENV", "TWILIO_MODE", "WEB_HOST", *PRODUCTION_NEEDS):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("APP_ENV", "TWILIO_MODE", *PRODUCTION_NEEDS)
           and not k.startswith("FLASK_")}
    return {**env, **extra}


def test_without_app_env_the_settings_are_production_and_refuse_to_start(bare_environment):
    assert config_for() is ProductionConfig
    with pytest.raises(RuntimeError, match="production settings need: SECRET_KEY") as err:
        create_app()
    assert "APP_ENV" in str(err.value)  # says how a checkout gets development


def test_production_refuses_the_development_secrets_even_when_set(bare_environment):
    for name, value in REAL.items():
        bare_environment.setenv(name, value)
    assert ProductionConfig().TWILIO_MODE == "live"
    for name, dev in (("SECRET_KEY", DEV_SECRET_KEY), ("ADMIN_API_TOKEN", DEV_ADMIN_API_TOKEN),
                      ("TWILIO_AUTH_TOKEN", DEV_AUTH_TOKEN)):
        bare_environment.setenv(name, dev)
        with pytest.raises(RuntimeError, match=f"{name} still the public development value"):
            create_app()
        bare_environment.setenv(name, REAL[name])
    assert create_app().config["SECRET_KEY"] == "a-real-secret-key"


@pytest.mark.parametrize("app_env", ["development", "testing", "production"])
@pytest.mark.parametrize("secret", ["SECRET_KEY", "ADMIN_API_TOKEN", "TWILIO_AUTH_TOKEN"])
def test_live_twilio_never_starts_with_a_development_secret(bare_environment, app_env, secret):
    for name, value in REAL.items():
        bare_environment.setenv(name, value)
    bare_environment.delenv(secret)  # back to its development default
    bare_environment.setenv("APP_ENV", app_env)
    bare_environment.setenv("TWILIO_MODE", "live")
    message = "production settings need" if app_env == "production" else \
        f"{secret} still the public development value"
    with pytest.raises(RuntimeError, match=message):
        create_app()


def test_live_twilio_starts_with_real_secrets_in_development(bare_environment):
    for name, value in REAL.items():
        bare_environment.setenv(name, value)
    bare_environment.setenv("APP_ENV", "development")
    bare_environment.setenv("TWILIO_MODE", "live")
    assert create_app().config["TWILIO_MODE"] == "live"


def test_development_and_testing_keep_their_defaults(bare_environment):
    assert DevelopmentConfig().SECRET_KEY == DEV_SECRET_KEY
    assert config.TestingConfig().TWILIO_MODE == "emulator"
    bare_environment.setenv("APP_ENV", "development")
    assert create_app().config["APP_ENV"] == "development"


def test_the_tests_say_testing():
    assert os.environ["APP_ENV"] == "testing"  # tests/conftest.py


def test_the_flask_cli_in_the_checkout_says_development():
    """.flaskenv: `flask` in this checkout starts with no setting at all..."""
    done = subprocess.run([FLASK, "--app", "app", "routes"], cwd=ROOT, env=_clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # ...and only because it says so: without .flaskenv it is production's refusal.
    bare = subprocess.run([FLASK, "--app", "app", "routes"], cwd=ROOT,
                          env=_clean_env(FLASK_SKIP_DOTENV="1"), capture_output=True,
                          text=True, timeout=60)
    assert bare.returncode != 0
    assert "production settings need" in bare.stderr


def test_the_procfile_flask_lines_are_production_whatever_the_checkout_says():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines()
                 if line.strip())
    prefix = "APP_ENV=${APP_ENV:-production} flask --app app "
    assert lines["release"].startswith(prefix)
    assert lines["clock"].startswith(prefix)
    # The release line's own start, in a shell, in this checkout (where .flaskenv is).
    done = subprocess.run(["sh", "-c", prefix.replace("flask", FLASK) + "routes"], cwd=ROOT,
                          env=_clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "production settings need" in done.stderr


def test_the_procfile_binds_where_a_platform_expects():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    command = web.split(": ", 1)[1]
    env = {k: v for k, v in _clean_env(PORT="8123").items() if k != "WEB_HOST"}
    shown = subprocess.run(["sh", "-c", f"echo {command}"], env=env, capture_output=True,
                           text=True, timeout=10).stdout
    assert "--bind 0.0.0.0:8123" in shown
