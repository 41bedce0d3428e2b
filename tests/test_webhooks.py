"""The webhook contract: signed or refused, always TwiML, never an application error."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.interactions.models import Interaction
from tests.conftest import PUBLIC_BASE_URL, call_params, make_settings, parse_twiml, sign


def test_unsigned_incoming_call_is_refused(client):
    response = client.post("/ivr/incoming", data=call_params())
    assert response.status_code == 403


def test_forged_signature_is_refused(signed_post):
    response = signed_post("/ivr/incoming", call_params(), signature="bm90LWEtc2lnbmF0dXJl")
    assert response.status_code == 403


def test_signature_made_with_another_token_is_refused(signed_post):
    params = call_params()
    forged = sign(PUBLIC_BASE_URL + "/ivr/incoming", params, token="someone-elses-token")
    assert signed_post("/ivr/incoming", params, signature=forged).status_code == 403


def test_signature_for_another_url_is_refused(signed_post):
    params = call_params()
    replayed = sign(PUBLIC_BASE_URL + "/ivr/status", params)
    assert signed_post("/ivr/incoming", params, signature=replayed).status_code == 403


def test_signed_incoming_call_is_greeted_at_once(signed_post, app):
    root = parse_twiml(signed_post("/ivr/incoming", call_params()))
    first = root[0]
    assert first.tag == "Say", "the first verb must start speaking, not wait"
    assert "Thank you for calling Example Support" in first.text
    with app.app_context():
        interaction = db.session.scalars(select(Interaction)).one()
        assert interaction.from_number == "+14155550100"
        # No departments are configured here: the caller is offered the general voicemail box.
        assert [e.kind for e in interaction.events] == ["greeted", "callback_opened"]


def test_status_callback_closes_the_interaction(signed_post, app):
    signed_post("/ivr/incoming", call_params())
    done = call_params(CallStatus="completed", CallDuration="42")
    root = parse_twiml(signed_post("/ivr/status", done))
    assert len(root) == 0
    # Twilio may deliver the same callback twice; the second must change nothing.
    parse_twiml(signed_post("/ivr/status", call_params(CallStatus="completed", CallDuration="1")))
    with app.app_context():
        interaction = db.session.scalars(select(Interaction)).one()
        assert interaction.status == "completed"
        assert interaction.duration_seconds == 42
        assert [e.kind for e in interaction.events] == ["greeted", "callback_opened", "ended"]


def test_a_bug_inside_a_webhook_still_answers_twiml(signed_post, monkeypatch, caplog):
    from app.interactions import services

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    # add_event: every IVR webhook records on the call's timeline, the first one included
    # (which opens its row through app/ivr/fastpath.py, not open_interaction).
    monkeypatch.setattr(services, "add_event", broken)
    root = parse_twiml(signed_post("/ivr/incoming", call_params()))
    spoken = " ".join(el.text or "" for el in root.iter("Say"))
    assert "sorry" in spoken.lower()
    assert "application error" not in spoken.lower()
    assert any(r.exc_info and "simulated bug" in str(r.exc_info[1]) for r in caplog.records)


def test_database_down_still_answers_twiml(tmp_path, redis_server, caplog):
    # A database that cannot be opened at all: its directory does not exist.
    broken = create_app(make_settings(tmp_path / "no" / "such" / "db.sqlite3", redis_server.url))
    params = call_params()
    url = PUBLIC_BASE_URL + "/ivr/incoming"
    response = broken.test_client().post(
        "/ivr/incoming", data=params, headers={"X-Twilio-Signature": sign(url, params)}
    )
    root = parse_twiml(response)
    assert "sorry" in " ".join(el.text or "" for el in root.iter("Say")).lower()
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)


def test_fallback_url_answers_without_database_or_redis(signed_post, caplog):
    params = call_params(ErrorCode="11200", ErrorUrl=PUBLIC_BASE_URL + "/ivr/incoming")
    root = parse_twiml(signed_post("/ivr/fallback", params))
    assert root.find("Say") is not None
    # The caller is not just dropped: they can leave a message in the general box.
    record = root.find("Record")
    assert record is not None and "box=general" in record.get("action")
    assert any("11200" in r.getMessage() for r in caplog.records)
