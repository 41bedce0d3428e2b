"""The prompt catalogue: shipped defaults, run-time overrides (CLI, API), across processes."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from app import create_app
from app.floor import prompts
from tests.conftest import call_params, make_settings, parse_twiml, sign
from tests.ivr.conftest import ADMIN, ASHA, OPEN_HOURS, spoken, words


def test_queue_prompts_are_in_the_catalogue_too(app):
    with app.app_context():
        assert "queue.apology_position" in prompts.shipped()
        assert prompts.placeholders("queue.apology_position") == {"position"}


@freeze_time(OPEN_HOURS)
def test_a_prompt_set_on_the_cli_is_heard_on_the_next_call(app, demo, phone):
    before = phone(ASHA).dial()
    assert spoken(before)[0].text.startswith("नमस्ते Asha, Example Support")

    result = app.test_cli_runner().invoke(args=[
        "prompts", "set", "greeting.known", "hi",
        "नमस्ते {name}! {organisation} में आपका स्वागत है।"])
    assert result.exit_code == 0, result.output

    after = phone(ASHA).dial()
    assert spoken(after)[0].text == "नमस्ते Asha! Example Support में आपका स्वागत है।"
    assert (spoken(after)[0].voice, spoken(after)[0].language) == ("Polly.Aditi", "hi-IN")

    listed = app.test_cli_runner().invoke(args=["prompts", "list", "--lang", "hi",
                                                "--overridden"])
    assert listed.output.strip().startswith("* greeting.known")

    reset = app.test_cli_runner().invoke(args=["prompts", "reset", "greeting.known", "hi"])
    assert reset.exit_code == 0
    assert spoken(phone(ASHA).dial())[0].text.startswith("नमस्ते Asha, Example Support")


def test_cli_refuses_unknown_keys_languages_and_placeholders(app):
    runner = app.test_cli_runner()
    for args, message in [
        (["greeting.nope", "en", "Hi"], "There is no prompt"),
        (["greeting.known", "fr", "Bonjour"], "not supported"),
        (["greeting.known", "en", "Hi {nickname}"], "Unknown placeholder"),
    ]:
        result = runner.invoke(args=["prompts", "set", *args])
        assert result.exit_code != 0
        assert message in result.output


@freeze_time(OPEN_HOURS)
def test_a_prompt_put_on_the_api_is_heard_on_the_next_call_and_delete_resets_it(
        app, demo, phone, client):
    url = "/api/prompts/menu.intro/ms"
    response = client.put(url, json={"text": "Sila pilih jabatan yang anda mahu."},
                          headers=ADMIN)
    assert response.status_code == 200
    body = response.get_json()
    assert body["overridden"] is True
    assert body["default"].startswith("Sila pilih jabatan. Anda boleh")

    root = phone("+60123456789").dial()
    assert "Sila pilih jabatan yang anda mahu." in words(root)

    assert client.delete(url, headers=ADMIN).get_json()["overridden"] is False
    assert "Sila pilih jabatan. Anda boleh" in words(phone("+60123456789").dial())


@pytest.mark.parametrize(("path", "body", "error"), [
    ("/api/prompts/nope.nope/en", {"text": "Hi"}, "unknown_prompt_key"),
    ("/api/prompts/greeting.known/fr", {"text": "Salut"}, "unsupported_language"),
    ("/api/prompts/greeting.known/en", {"text": "Hi {nickname}"}, "invalid_prompt_text"),
    ("/api/prompts/greeting.known/en", {"text": "Hi {name.__class__}"}, "invalid_prompt_text"),
    ("/api/prompts/greeting.known/en", {"text": "Hi {name"}, "invalid_prompt_text"),
    ("/api/prompts/greeting.known/en", {"text": "   "}, "invalid_prompt_text"),
    ("/api/prompts/greeting.known/en", {"words": "Hi"}, "invalid_input"),
])
def test_api_rejects_bad_prompts_with_a_clear_400(client, path, body, error):
    response = client.put(path, json=body, headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json()["error"]["id"] == error


def test_unknown_placeholder_error_names_the_allowed_ones(client):
    response = client.put("/api/prompts/greeting.known/en", json={"text": "Hi {nick}"},
                          headers=ADMIN)
    details = response.get_json()["error"]["details"]
    assert details["unknown"] == ["nick"]
    assert details["allowed"] == ["name", "organisation"]


def test_api_lists_prompts_and_needs_a_token(client):
    assert client.get("/api/prompts").status_code == 401
    body = client.get("/api/prompts?lang=bn&prefix=menu.", headers=ADMIN).get_json()
    assert {row["language"] for row in body["prompts"]} == {"bn"}
    assert {row["key"] for row in body["prompts"]} >= {"menu.intro", "menu.option"}
    assert body["languages"]["bn"]["voice"] == "Google.bn-IN-Standard-C"
    assert client.get("/api/prompts?lang=xx", headers=ADMIN).status_code == 400


@freeze_time(OPEN_HOURS)
def test_another_web_process_hears_the_change_on_its_next_call(app, demo, phone, tmp_path,
                                                                redis_server):
    # A second app on the same database and Redis stands in for another gunicorn worker.
    other = create_app(make_settings(tmp_path / "test.sqlite3", redis_server.url))
    params = call_params(From=ASHA, CallSid="CA" + "b" * 32)

    def call_other() -> str:
        url = "https://callcentre.example.test/ivr/incoming"
        response = other.test_client().post("/ivr/incoming", data=params,
                                            headers={"X-Twilio-Signature": sign(url, params)})
        return spoken(parse_twiml(response))[0].text

    assert call_other().startswith("नमस्ते Asha, Example")  # its cache is now warm
    app.test_cli_runner().invoke(args=["prompts", "set", "greeting.known", "hi",
                                       "प्रणाम {name}।"])
    assert call_other() == "प्रणाम Asha।"


@freeze_time(OPEN_HOURS)
def test_prompt_lookup_survives_a_redis_outage(app, demo, tmp_path):
    with app.app_context():
        from app.extensions import db
        from app.floor.models import Prompt

        db.session.add(Prompt(key="greeting.known", language="hi", text="नमस्कार {name}।"))
        db.session.commit()
    # Nothing listens on port 1: every Redis call fails at once.
    down = create_app(make_settings(tmp_path / "test.sqlite3", "redis://127.0.0.1:1/0"))
    params = call_params(From=ASHA)
    url = "https://callcentre.example.test/ivr/incoming"
    response = down.test_client().post("/ivr/incoming", data=params,
                                       headers={"X-Twilio-Signature": sign(url, params)})
    root = parse_twiml(response)
    assert spoken(root)[0].text == "नमस्कार Asha।"
    assert root.find("Gather") is not None


def test_a_broken_override_in_the_table_falls_back_to_the_default(app):
    with app.app_context():
        from app.extensions import db
        from app.floor.models import Prompt

        # Written behind the API's back (a bad migration, a manual UPDATE).
        db.session.add(Prompt(key="call.goodbye", language="en", text="Bye {0} {"))
        db.session.commit()
        assert prompts.text("call.goodbye", "en", organisation="Acme") == (
            "Thank you for calling Acme. Goodbye.")
