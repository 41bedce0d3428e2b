"""Each way into a box: the offer's keys 2 and 3, nobody signed in, after hours, an agent's
direct line, and the safe fallback when something fails underneath."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from app.customers.models import Customer
from app.extensions import db
from app.interactions import services as interactions
from app.queue import queue_services
from app.voicemail import no_agents_message, take_message
from app.voicemail.models import Callback
from tests.conftest import call_params, parse_twiml
from tests.voicemail.conftest import (
    CUSTOMER,
    join_queue,
    path_of,
    press_at_offer,
    query,
    recording_params,
    sid,
)


def _callbacks(app) -> list[Callback]:
    with app.app_context():
        rows = db.session.scalars(select(Callback).order_by(Callback.id)).all()
        for row in rows:
            _ = row.box.slug
        return rows


def test_key_3_keeps_the_callers_place_as_a_callback(app, signed_post, departments):
    first, second = sid(1), sid(2)
    join_queue(app, first, language="ms")
    join_queue(app, second, number="+14155550199")
    with app.app_context():
        queue_services().store.unpark(second)  # the second caller keeps waiting
        generation = queue_services().store.call(first)["generation"]
    root = press_at_offer(signed_post, first, "3")
    said = root.find("Say")
    assert said.get("language") == "ms-MY"
    assert "Giliran anda dikekalkan" in said.text
    assert root[-1].tag == "Hangup"
    with app.app_context():
        store = queue_services().store
        assert store.waiting("billing") == [first, second]  # still ahead of the later caller
        entry = store.call(first)
        assert entry["kind"] == "callback" and entry["state"] == "waiting"
        assert int(entry["generation"]) == int(generation) + 1  # its hold clock is stopped
    [callback] = _callbacks(app)
    assert (callback.kind, callback.number, callback.language) == ("requested", CUSTOMER, "ms")
    assert int(entry["callback_id"]) == callback.id
    # Pressing 3 again (a retried webhook) opens no second callback.
    press_at_offer(signed_post, first, "3")
    assert len(_callbacks(app)) == 1


def test_key_3_with_a_withheld_number_takes_a_message_instead(app, signed_post, departments):
    join_queue(app, sid(1), number="anonymous")
    root = press_at_offer(signed_post, sid(1), "3")
    assert "cannot see your phone number" in root.find("Say").text
    assert root.find("Record") is not None
    with app.app_context():
        assert queue_services().store.waiting("billing") == []


def test_nobody_signed_in_gets_an_apology_and_the_departments_box(app, departments):
    with app.test_request_context(method="POST", data=call_params(CallSid=sid(5))):
        root = parse_xml(no_agents_message("sales", "bn"))
    says = root.findall("Say")
    assert "Sales" in says[0].text and says[0].get("language") == "bn-IN"
    assert query(root.find("Record").get("action"))["box"] == "sales"
    [callback] = _callbacks(app)
    assert callback.box.slug == "sales" and callback.call_sid == sid(5)


def test_after_hours_message_is_linked_to_the_customer_and_interaction(app, departments):
    with app.test_request_context(method="POST", data=call_params(CallSid=sid(6))):
        customer = Customer(name="Asha Rao", language="hi")
        db.session.add(customer)
        db.session.flush()
        interaction = interactions.open_interaction(sid(6), from_number=CUSTOMER,
                                                    to_number="+15005550006")
        interaction.customer_id = customer.id
        db.session.commit()
        root = parse_xml(take_message("billing", "hi", interaction))
        interaction_id, customer_id = interaction.id, customer.id
        assert [e.kind for e in interaction.events] == ["callback_opened"]
    assert root.find("Say").get("language") == "hi-IN"
    [callback] = _callbacks(app)
    assert (callback.interaction_id, callback.customer_id) == (interaction_id, customer_id)


@freeze_time("2026-11-27 16:50:00")  # a Friday, ten minutes before billing closes
def test_the_callback_target_counts_business_hours_only(app, departments):
    with app.test_request_context(method="POST", data=call_params(CallSid=sid(7))):
        take_message("billing", "en")
    [callback] = _callbacks(app)
    # 15 minutes: 10 on Friday, 5 after Monday's opening.
    assert callback.due_at.strftime("%a %H:%M") == "Mon 09:05"


def test_an_agents_direct_line_unanswered_goes_to_their_own_box(app, signed_post, people):
    ring = parse_twiml(signed_post("/voicemail/agents/amy/direct", call_params()))
    dial = ring.find("Dial")
    assert dial.find("Client").text == "amy"
    unanswered = path_of(dial.get("action"))
    answered = parse_twiml(signed_post(unanswered, call_params(DialCallStatus="completed")))
    assert answered.find("Record") is None and answered[-1].tag == "Hangup"
    root = parse_twiml(signed_post(unanswered, call_params(DialCallStatus="no-answer")))
    assert "You have reached Amy Agent" in root.find("Say").text
    assert query(root.find("Record").get("action"))["box"] == "agent-amy"
    [callback] = _callbacks(app)
    assert callback.box.kind == "agent"
    with app.app_context():
        assert db.session.get(Callback, callback.id).assigned_agent.identity == "amy"


def test_a_failing_webhook_takes_a_message_in_the_general_box(app, signed_post, departments,
                                                              monkeypatch):
    from app.queue import services as queue_service_module

    def broken(self, call_sid):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queue_service_module.QueueService, "offer_menu", broken)
    params = call_params(CallSid=sid(8), From="+14155550123")
    root = parse_twiml(signed_post(f"/queue/offer?call={sid(8)}", params))
    assert "trouble connecting your call" in root.find("Say").text
    record = root.find("Record")
    assert query(record.get("action")) == {"box": "general", "lang": "en", "call": sid(8),
                                           "from": "+14155550123"}
    assert _callbacks(app) == []  # the fallback itself never touches the database
    signed_post(path_of(record.get("recordingStatusCallback")),
                recording_params(sid(8), sid(8, "RE")))
    [callback] = _callbacks(app)
    assert (callback.box.slug, callback.number, callback.kind) == ("general", "+14155550123",
                                                                   "voicemail")


def parse_xml(response):
    from xml.etree import ElementTree

    return ElementTree.fromstring(str(response))
