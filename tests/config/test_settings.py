"""One typed settings object (issue 15): every setting declared once in config/settings.py,
read by the app through `app_settings()`, documented, and never given a second default."""

from __future__ import annotations

import ast
import dataclasses
import io
import logging
import re
from pathlib import Path

import pytest
from flask import Flask

from app.calls import call_controls
from app.observability.logs import configure_logging
from config import AppSettings, DevelopmentConfig, app_settings
from config.settings import ROOT, declared, declared_default, environment_name

APP = ROOT / "app"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A row of a settings table: | `NAME` | `default` | what it does |
TABLE_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*`([^`]*)`", re.M)


def _documented_name(name: str) -> str:
    return environment_name(name) or name


def _name_of(node: ast.expr) -> str:
    """`config` for `config`, `app.config` and `current_app.config`."""
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _config_reads_with_a_default(path: Path) -> list[str]:
    """`config.get(...)` (of any config: Flask's, a mapping passed in) and `os.environ.get` of
    a declared setting with a default: each would be a second place holding its default."""
    names = {_documented_name(n) for n in declared()} | set(declared())
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner_name = _name_of(node.func.value)
        first = node.args[0] if node.args else None
        named = isinstance(first, ast.Constant) and first.value in names
        if (node.func.attr in ("get", "setdefault") and owner_name == "config"
                or node.func.attr in ("get", "getenv") and owner_name in ("environ", "os")
                and named and len(node.args) > 1):
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_setting_is_read_with_a_default_of_its_own_in_the_app():
    found = [hit for path in sorted(APP.rglob("*.py"))
             for hit in _config_reads_with_a_default(path)]
    # Flask extensions' own keys (rq-dashboard's) are not ours: set, not read, with setdefault.
    found = [hit for hit in found if "RQ_DASHBOARD_" not in hit]
    assert found == [], "read app_settings() instead (config/settings.py declares defaults)"


def _config_subscripts(path: Path) -> list[str]:
    """`config["NAME"]` of a declared setting: the app reads `app_settings().NAME` instead."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
                and _name_of(node.value) == "config" and node.slice.value in declared()):
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_app_reads_its_settings_through_the_typed_view():
    found = [hit for path in sorted(APP.rglob("*.py")) for hit in _config_subscripts(path)]
    assert found == [], "read app_settings().NAME: typed, and one way of reading settings"


def test_the_check_finds_a_restated_default(tmp_path):
    source = tmp_path / "restated.py"
    source.write_text('import os\nregion = current_app.config.get("DEFAULT_REGION", "IN")\n'
                      'port = os.environ.get("EMBEDDED_REDIS_PORT", 6389)\n'
                      'home = os.environ.get("HOME")\n')
    assert len(_config_reads_with_a_default(source)) == 2
    source.write_text('tag = current_app.config["REDIS_KEY_TAG"]\n')
    assert len(_config_subscripts(source)) == 1


def test_every_setting_is_declared_with_a_type_a_default_and_a_line_of_doc():
    types = {int, float, str, bool}
    hints = {f.name: f.type for f in dataclasses.fields(AppSettings)}
    for name, declared_field in declared().items():
        assert hints[name] in {t.__name__ for t in types}, name
        assert declared_field.metadata["doc"].strip(), name
        assert "default" in declared_field.metadata, name


def test_every_setting_is_documented_in_the_readme_or_docs():
    text = "\n".join(path.read_text() for path in DOCS)
    missing = [_documented_name(n) for n in declared() if f"`{_documented_name(n)}`" not in text]
    assert missing == []


def test_the_defaults_the_docs_tables_give_are_the_declared_ones():
    by_documented_name = {_documented_name(n): n for n in declared()}
    wrong = []
    for path in DOCS:
        for documented, shown in TABLE_ROW.findall(path.read_text()):
            name = by_documented_name.get(documented)
            if name is None or callable(declared_default(name)) or declared_default(name) == "":
                continue  # not ours, derived from another setting, or unset (doc says what then)
            default = declared_default(name)
            if isinstance(default, str):
                agrees = default.replace(f"{ROOT}/", "") == shown  # the checkout's var/ path
            else:
                agrees = re.fullmatch(r"[0-9.]+", shown) is not None and float(shown) == default
            if not agrees:
                wrong.append(f"{path.name}: {documented} shows {shown!r}, declared {default!r}")
    assert wrong == []


def test_the_app_reads_a_typed_read_only_view(app):
    settings = app_settings(app)
    assert isinstance(settings, AppSettings)
    assert settings.IVR_MAX_ATTEMPTS == 3 and isinstance(settings.IVR_CACHE_SECONDS, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.IVR_MAX_ATTEMPTS = 9  # type: ignore[misc]
    assert app_settings(app) is settings  # built once, not per read


def test_a_setting_changed_on_the_flask_config_is_read(app):
    before = app_settings(app)
    app.config["IVR_MAX_ATTEMPTS"] = "1"  # as the environment would give it
    app.config.update(WRAPUP_TAGS="delivery=sales:Delivery")
    after = app_settings(app)
    assert after is not before
    assert after.IVR_MAX_ATTEMPTS == 1 and after.WRAPUP_TAGS == "delivery=sales:Delivery"


def test_the_environment_is_read_as_the_declared_types(monkeypatch):
    monkeypatch.setenv("IVR_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "yes")
    monkeypatch.setenv("HOLD_CLOCK_LEASE_SECONDS", "7")
    settings = DevelopmentConfig()
    assert settings.IVR_MAX_ATTEMPTS == 4
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.HOLD_CLOCK_LEASE_SECONDS == 7.0


def test_call_controls_use_the_declared_default_region(app, monkeypatch):
    # calls/factory.py once fell back to "IN" where the settings say "US".
    monkeypatch.delenv("DEFAULT_REGION", raising=False)
    assert DevelopmentConfig().DEFAULT_REGION == "US"
    with app.app_context():
        assert call_controls().settings.default_region == "US"
        app.config["DEFAULT_REGION"] = "GB"
        assert call_controls().settings.default_region == "GB"


def test_a_line_logged_under_another_app_is_still_written(app):
    # The emulator runs its own Flask app in the test process; the app's log handler scrubs
    # the app's secrets, and under the emulator's app there are none of ours to read.
    stream = io.StringIO()
    configure_logging(app, stream=stream)
    try:
        with Flask("emulator").app_context():
            logging.getLogger("sim").warning("a line from the emulator")
    finally:
        configure_logging(app)
    assert "a line from the emulator" in stream.getvalue()
