"""Bugs the webhook fuzzing found, each pinned by what the person on the line hears."""

from __future__ import annotations

from tests.conftest import call_params, parse_twiml

AGENT_LEG = call_params(CallSid="CA" + "4" * 32, From="client:amy", To="+14155550100",
                        Direction="outbound-api")


def test_an_agent_answering_for_a_callback_that_is_gone_is_told_so(signed_post):
    root = parse_twiml(signed_post("/voicemail/callbacks/424242/connect?agent=amy",
                                   AGENT_LEG))
    said = " ".join(s.text or "" for s in root.iter("Say"))
    assert "no longer on the list" in said
    assert root.find("Hangup") is not None
    # Not the callers' fallback: the agent is not asked to leave a message.
    assert root.find("Record") is None and root.find("Dial") is None


def test_the_end_of_a_dial_for_a_callback_that_is_gone_is_not_a_message_prompt(signed_post):
    root = parse_twiml(signed_post("/voicemail/callbacks/424242/dialed?agent=amy",
                                   {**AGENT_LEG, "DialCallStatus": "completed"}))
    assert root.find("Record") is None
    assert root.find("Hangup") is not None


def test_a_missed_agent_leg_for_a_callback_that_is_gone_is_not_retried(signed_post):
    response = signed_post("/voicemail/callbacks/424242/agent-leg?agent=amy",
                           {**AGENT_LEG, "CallStatus": "no-answer"})
    assert response.status_code == 200  # a 500 would make Twilio retry it, in vain


def test_an_event_id_that_is_not_one_is_a_400_not_a_500(app, client):
    from app.agents import services as agents
    from app.extensions import db

    with app.app_context():
        agents.create_agent("Amy", "amy", departments=[], password="correct horse")
        db.session.commit()
    token = client.post("/api/agents/login", json={"identity": "amy",
                                                   "password": "correct horse"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    for after in ("voicemail", "1-", "-1", "1-2-3", "99999999999999999999999-0"):
        answer = client.get("/api/agents/me/events", query_string={"after": after},
                            headers=headers)
        assert answer.status_code == 400, (after, answer.status_code)
        assert answer.get_json()["error"]["details"] == {"field": "after"}
    ok = client.get("/api/agents/me/events", query_string={"after": "1764046800000-0"},
                    headers=headers)
    assert ok.status_code == 200 and ok.get_json() == {"events": []}


def test_a_control_character_sent_to_a_webhook_never_breaks_the_twiml(app, client):
    """A value echoed into TwiML (here the `call` parameter of the hold loop's redirect) with
    a character XML forbids made the document unparseable: Twilio's "application error"."""
    from tests.security.webhooks import signed_request

    for path, query in (("/queue/wait", {"call": "CA\x1f\x00x"}),
                        ("/ivr/menu", {"lang": "en\x0b"})):
        params = call_params(SpeechResult="billing\x08", Digits="1\x1f")
        url, headers = signed_request(path, query, params)
        parse_twiml(client.post(url, data=params, headers=headers))


def test_an_id_too_large_for_any_row_is_not_found_not_a_500(app, client, signed_post):
    """The API fuzz sent /api/callbacks/<30 digits>: the database driver refused the number
    (OverflowError) and the operator got a 500. Such an id now names no row."""
    huge = "458602883108369214848555286528"
    admin = {"Authorization": f"Bearer {app.config['ADMIN_API_TOKEN']}"}
    for method, path in (("GET", f"/api/callbacks/{huge}"),
                         ("GET", f"/api/callbacks/{huge}/recording"),
                         ("PATCH", f"/api/callbacks/boxes/{huge}")):
        answer = client.open(path, method=method, headers=admin, json={})
        assert answer.status_code == 404, (path, answer.status_code)
    # A webhook about such a callback still answers TwiML (Twilio must never get a 404).
    root = parse_twiml(signed_post(f"/voicemail/callbacks/{huge}/connect?agent=amy",
                                   AGENT_LEG))
    assert "no longer on the list" in " ".join(s.text or "" for s in root.iter("Say"))
