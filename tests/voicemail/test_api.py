"""Agents work the backlog: list, listen, claim, call back, clear; supervisors reassign."""

from __future__ import annotations

from app.extensions import db
from app.queue import queue_services
from app.voicemail import dialer, services, take_message
from app.voicemail.boxes import box_by_slug
from app.voicemail.models import Callback
from tests.conftest import AUTH_TOKEN, call_params, parse_twiml
from tests.voicemail.conftest import (
    CUSTOMER,
    join_queue,
    path_of,
    press_at_offer,
    query,
    sid,
)


def message_in(app, box: str, n: int, *, transcript: str | None = None) -> int:
    """A caller left a message in `box`; returns the callback's id."""
    with app.test_request_context(method="POST",
                                  data=call_params(CallSid=sid(n), From=f"+1415555{n:04d}")):
        take_message(box, "en")
        services.recording_finished(box_by_slug(box), call_sid=sid(n), recording_sid=sid(n, "RE"),
                                    recording_url="https://api.twilio.com/x", status="completed",
                                    duration=10, language="en")
        if transcript:
            services.transcription_arrived(box_by_slug(box), call_sid=sid(n),
                                           recording_sid=sid(n, "RE"), recording_url="",
                                           transcription_sid="TR1", text=transcript,
                                           status="completed", language="en")
        db.session.commit()
        return services.callback_for_call(sid(n)).id


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [c["id"] for c in response.get_json()["callbacks"]]


def test_the_backlog_lists_overdue_first_and_only_what_i_may_work(app, frozen, client, people):
    frozen.move_to("2026-11-25 09:00:00")
    old = message_in(app, "billing", 1)  # due 09:15: overdue at 10:00
    frozen.move_to("2026-11-25 10:00:00")
    fresh = message_in(app, "billing", 2)
    sales = message_in(app, "sales", 3)
    mine = message_in(app, "agent-amy", 4)
    listed = client.get("/api/callbacks", headers=people["amy"])
    assert ids(listed)[0] == old
    assert listed.get_json()["overdue"] == 1
    assert set(ids(listed)) == {old, fresh, mine}
    assert ids(client.get("/api/callbacks?scope=mine", headers=people["amy"])) == [mine]
    assert set(ids(client.get("/api/callbacks?scope=departments", headers=people["amy"]))) == {
        old, fresh}
    assert sales in ids(client.get("/api/callbacks", headers=people["sue"]))
    assert client.get(f"/api/callbacks/{sales}", headers=people["amy"]).status_code == 403
    assert client.get("/api/callbacks").status_code == 401
    assert client.get("/api/callbacks?scope=bogus", headers=people["amy"]).status_code == 400


def test_claim_clear_and_the_audit(app, frozen, client, people):
    callback = message_in(app, "billing", 1, transcript="Call me about invoice 42.")
    claimed = client.post(f"/api/callbacks/{callback}/claim", headers=people["amy"])
    assert claimed.get_json()["status"] == "claimed"
    assert claimed.get_json()["assigned_to"] == "amy"
    taken = client.post(f"/api/callbacks/{callback}/claim", headers=people["sue"])
    assert taken.status_code == 409 and taken.get_json()["error"]["details"]["agent"] == "amy"
    frozen.move_to("2026-11-25 11:00:00")
    cleared = client.post(f"/api/callbacks/{callback}/clear", headers=people["amy"],
                          json={"outcome": "reached", "note": "refund issued"})
    body = cleared.get_json()
    assert (body["status"], body["outcome"], body["attempts"]) == ("closed", "reached", 1)
    assert body["message"]["transcription"]["text"] == "Call me about invoice 42."
    audit = [(e["action"], e["actor"]) for e in body["events"]]
    assert audit[-2:] == [("claimed", "amy"), ("cleared", "amy")]
    assert body["events"][-1]["at"].startswith("2026-11-25T11:00:00")
    assert body["events"][-1]["detail"]["note"] == "refund issued"
    again = client.post(f"/api/callbacks/{callback}/clear", headers=people["amy"],
                        json={"outcome": "reached"})
    assert again.status_code == 409
    assert ids(client.get("/api/callbacks", headers=people["amy"])) == []
    assert ids(client.get("/api/callbacks?closed=1", headers=people["amy"])) == [callback]


def test_wrong_number_and_unknown_outcomes(app, client, people):
    callback = message_in(app, "billing", 1)
    bad = client.post(f"/api/callbacks/{callback}/clear", headers=people["amy"],
                      json={"outcome": "bored"})
    assert bad.status_code == 400 and "wrong_number" in bad.get_json()["error"]["details"][
        "allowed"]
    done = client.post(f"/api/callbacks/{callback}/clear", headers=people["amy"],
                       json={"outcome": "wrong_number"})
    assert done.get_json()["outcome"] == "wrong_number"


def test_no_answer_is_retried_later_up_to_the_maximum(app, frozen, client, people):
    callback = message_in(app, "billing", 1)
    url = f"/api/callbacks/{callback}/clear"
    first = client.post(url, headers=people["amy"], json={"outcome": "no_answer"}).get_json()
    assert (first["status"], first["attempts"], first["outcome"]) == ("open", 1, None)
    assert first["due_at"].startswith("2026-11-25T10:30:00")  # CALLBACK_RETRY_MINUTES
    assert first["events"][-1]["detail"]["retry_at"].startswith("2026-11-25T10:30")
    second = client.post(url, headers=people["amy"], json={"outcome": "no_answer"}).get_json()
    assert second["status"] == "open" and second["attempts"] == 2
    third = client.post(url, headers=people["amy"], json={"outcome": "no_answer"}).get_json()
    assert (third["status"], third["outcome"], third["attempts"]) == ("closed", "no_answer", 3)
    assert third["events"][-1]["detail"]["gave_up"] is True


def test_supervisors_reassign_agents_cannot(app, client, people):
    callback = message_in(app, "billing", 1)
    client.post(f"/api/callbacks/{callback}/claim", headers=people["amy"])
    refused = client.post(f"/api/callbacks/{callback}/assign", headers=people["amy"],
                          json={"agent": "sam"})
    assert refused.status_code == 403
    moved = client.post(f"/api/callbacks/{callback}/assign", headers=people["sue"],
                        json={"agent": "sam"}).get_json()
    assert moved["assigned_to"] == "sam"
    assert moved["events"][-1] == {**moved["events"][-1], "action": "reassigned", "actor": "sue",
                                   "detail": {"previous": "amy", "to": "sam"}}
    # sam works sales, but what is assigned to him is his to work.
    assert callback in ids(client.get("/api/callbacks?scope=mine", headers=people["sam"]))
    nobody = client.post(f"/api/callbacks/{callback}/assign", headers=people["sue"],
                         json={"agent": "zed"})
    assert nobody.status_code == 404


class _Media:
    status_code = 200
    content = b"ID3-fake-mp3"
    headers = {"Content-Type": "audio/mpeg"}


def test_the_recording_is_served_through_the_app(app, client, people, monkeypatch):
    callback = message_in(app, "billing", 1)
    asked = []
    monkeypatch.setattr(dialer, "http_get", lambda url, auth: asked.append((url, auth))
                        or _Media())
    response = client.get(f"/api/callbacks/{callback}/recording", headers=people["amy"])
    assert response.status_code == 200
    assert response.data == b"ID3-fake-mp3" and response.mimetype == "audio/mpeg"
    [(url, auth)] = asked
    assert url.endswith(f"/Recordings/{sid(1, 'RE')}.mp3")
    assert auth[1] == AUTH_TOKEN
    detail = client.get(f"/api/callbacks/{callback}", headers=people["amy"])
    assert AUTH_TOKEN not in detail.get_data(as_text=True)
    assert "api.twilio.com" not in detail.get_data(as_text=True)
    assert detail.get_json()["events"][-1]["action"] == "listened"
    assert client.get(f"/api/callbacks/{callback}/recording",
                      headers=people["sam"]).status_code == 403
    _Media.status_code = 404
    try:
        gone = client.get(f"/api/callbacks/{callback}/recording", headers=people["amy"])
    finally:
        _Media.status_code = 200
    assert gone.status_code == 502


def test_calling_back_rings_the_agent_then_the_customer(app, client, people, fake_gateway,
                                                        signed_post):
    callback = message_in(app, "billing", 1)
    response = client.post(f"/api/callbacks/{callback}/call", headers=people["amy"])
    assert response.status_code == 200, response.get_json()
    [placed] = fake_gateway.placed
    assert placed["to"] == "client:amy"
    assert placed["from"] == "+15005550006"  # TWILIO_PHONE_NUMBER unless CALLBACK_CALLER_ID
    assert response.get_json()["call_sid"] == sid(1)
    assert response.get_json()["callback"]["events"][-1]["action"] == "call_started"
    agent_leg = parse_twiml(signed_post(path_of(placed["url"]),
                                        call_params(CallSid=sid(1), To="client:amy")))
    assert "Callback to +14155550001. They left a message." in agent_leg.find("Say").text
    dial = agent_leg.find("Dial")
    assert dial.find("Number").text == "+14155550001"
    assert dial.get("callerId") == "+15005550006"
    ended = parse_twiml(signed_post(path_of(dial.get("action")),
                                    call_params(CallSid=sid(1), DialCallStatus="no-answer")))
    assert "did not answer" in ended.find("Say").text
    status = signed_post(path_of(placed["status_callback"]),
                         call_params(CallSid=sid(1), CallStatus="no-answer"))
    assert status.status_code == 200
    events = client.get(f"/api/callbacks/{callback}", headers=people["amy"]).get_json()["events"]
    assert [e["action"] for e in events][-3:] == ["agent_connected", "customer_leg",
                                                 "agent_missed"]
    assert events[-2]["detail"]["status"] == "no-answer"


def test_calling_back_a_requested_callback_takes_it_out_of_the_line(app, client, people,
                                                                    fake_gateway, signed_post):
    join_queue(app, sid(9))
    press_at_offer(signed_post, sid(9), "3")
    with app.app_context():
        callback = services.callback_for_call(sid(9)).id
        assert queue_services().store.waiting("billing") == [sid(9)]
    response = client.post(f"/api/callbacks/{callback}/call", headers=people["amy"])
    assert response.status_code == 200
    with app.app_context():
        assert queue_services().store.waiting("billing") == []
    assert fake_gateway.placed[0]["to"] == "client:amy"
    agent_leg = parse_twiml(signed_post(path_of(fake_gateway.placed[0]["url"]), call_params()))
    assert "They asked to be called back" in agent_leg.find("Say").text
    assert agent_leg.find("Dial").find("Number").text == CUSTOMER


def test_the_queue_can_start_a_callback_with_its_own_status_callback(app, people, fake_gateway):
    callback = message_in(app, "billing", 1)
    with app.test_request_context():
        leg = dialer.start_callback_call("amy", callback, timeout=15,
                                         status_callback="https://x.test/queue/agent-leg")
        assert db.session.get(Callback, callback).status == "claimed"
    assert leg == sid(1)
    assert fake_gateway.placed[0]["status_callback"] == "https://x.test/queue/agent-leg"
    assert fake_gateway.placed[0]["timeout"] == 15
    assert query(fake_gateway.placed[0]["url"]) == {"agent": "amy"}


def test_supervisors_edit_greetings_at_run_time(app, client, people):
    with app.test_request_context():
        box = box_by_slug("billing")
        db.session.commit()
        box_id = box.id
    refused = client.patch(f"/api/callbacks/boxes/{box_id}", headers=people["amy"],
                           json={"max_length_seconds": 60})
    assert refused.status_code == 403
    edited = client.patch(f"/api/callbacks/boxes/{box_id}", headers=people["sue"], json={
        "greetings": {"en": "Billing here. Speak after the tone."},
        "max_length_seconds": 60, "callback_target_minutes": 30,
    }).get_json()
    assert edited["greetings"]["en"] == "Billing here. Speak after the tone."
    assert edited["worked_by"] == {"department": "billing"}
    bad = client.patch(f"/api/callbacks/boxes/{box_id}", headers=people["sue"],
                       json={"max_length_seconds": 0})
    assert bad.status_code == 400 and bad.get_json()["error"]["details"]["field"] == (
        "max_length_seconds")
    with app.test_request_context(method="POST", data=call_params()):
        from xml.etree import ElementTree

        root = ElementTree.fromstring(str(take_message("billing", "en")))
    assert root.find("Say").text == "Billing here. Speak after the tone."
    assert root.find("Record").get("maxLength") == "60"
    boxes = client.get("/api/callbacks/boxes", headers=people["amy"]).get_json()["boxes"]
    assert [b["slug"] for b in boxes] == ["billing"]


def test_the_operator_cannot_call_back(app, client, people):
    # The operator's token has no softphone: calling back needs an agent.
    callback = message_in(app, "billing", 1)
    response = client.post(f"/api/callbacks/{callback}/call",
                           headers={"Authorization": "Bearer dev-admin-token"})
    assert response.status_code == 403


def test_only_the_claimer_or_a_supervisor_releases(app, client, people):
    callback = message_in(app, "billing", 1)
    client.post(f"/api/callbacks/{callback}/claim", headers=people["sue"])
    assert client.post(f"/api/callbacks/{callback}/release",
                       headers=people["amy"]).status_code == 403
    released = client.post(f"/api/callbacks/{callback}/release", headers=people["sue"])
    assert (released.get_json()["status"], released.get_json()["assigned_to"]) == ("open", None)
    assert client.post(f"/api/callbacks/{callback}/claim",
                       headers=people["amy"]).get_json()["assigned_to"] == "amy"
