"""Whatever a caller (or a forger of query strings) sends, the IVR answers valid TwiML."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.conftest import call_params, parse_twiml
from tests.ivr.conftest import ASHA, OPEN_HOURS, assert_queued, assert_speaks_at_once, spoken, words

GARBAGE = ["abc", "1;DROP TABLE customers", "<Say>hi</Say>", "\x00\x01", "١", "²", "9" * 5000,
           "#", "**", "1 2"]


@freeze_time(OPEN_HOURS)
@pytest.mark.parametrize("path", ["/ivr/language?attempt=1", "/ivr/account?lang=hi&attempt=1",
                                  "/ivr/remember?lang=bn", "/ivr/menu?lang=ms&attempt=1"])
@pytest.mark.parametrize("digits", GARBAGE)
def test_garbage_digits_never_raise(demo, signed_post, path, digits, caplog):
    root = parse_twiml(signed_post(path, call_params(From=ASHA, Digits=digits)))
    assert_speaks_at_once(root)
    assert "trouble connecting" not in words(root), "fell back to the safe apology"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@freeze_time(OPEN_HOURS)
def test_huge_speech_result_is_handled(demo, signed_post):
    speech = "blah " * 40_000 + "billing"
    root = parse_twiml(signed_post("/ivr/menu?lang=en&attempt=1",
                                   call_params(From=ASHA, SpeechResult=speech)))
    assert "Sorry, that is not one of the choices." in words(root)


@freeze_time(OPEN_HOURS)
@pytest.mark.parametrize("query", ["lang=xx&attempt=1", "lang=&attempt=abc",
                                   "lang=%00&attempt=-3", "attempt=999999999999",
                                   "lang=hi&lang=en", ""])
def test_unknown_language_or_attempt_in_the_query(demo, signed_post, query):
    path = f"/ivr/menu?{query}" if query else "/ivr/menu"
    root = parse_twiml(signed_post(path, call_params(From=ASHA, Digits="1")))
    assert spoken(root)
    assert_queued(root)  # key 1 still reaches billing, whatever the query said


@freeze_time(OPEN_HOURS)
def test_a_follow_up_without_the_incoming_call_still_works(demo, signed_post):
    # The interaction row is re-derived (or created) by CallSid; no server memory is needed.
    root = parse_twiml(signed_post("/ivr/menu?lang=bn&attempt=1",
                                   call_params(CallSid="CA" + "9" * 32, Digits="2")))
    assert "কারিগরি সহায়তা" in words(root)
    assert {s.voice for s in spoken(root)} == {"Google.bn-IN-Standard-C"}


@freeze_time(OPEN_HOURS)
def test_language_from_the_interaction_when_the_query_has_none(app, demo, phone, signed_post):
    call = phone(ASHA)
    call.dial()
    root = parse_twiml(signed_post("/ivr/menu", {**call.params, "Digits": "9"}))
    assert {s.language for s in spoken(root)} == {"hi-IN"}


@freeze_time(OPEN_HOURS)
def test_customer_with_an_unsupported_language_is_greeted_in_the_default(app, demo, phone):
    with app.app_context():
        from app.customers import services
        from app.extensions import db

        services.create_customer(name="Zoé", account_number="200", language="fr",
                                 phones=["+12025550177"])
        db.session.commit()
    first = spoken(phone("+12025550177").dial())[0]
    assert first.text.startswith("Hello Zoé, thank you for calling")
    assert first.language == "en-US"


@freeze_time(OPEN_HOURS)
def test_names_with_markup_are_escaped(app, demo, phone):
    with app.app_context():
        from app.customers import services
        from app.extensions import db

        services.create_customer(name="<Hangup/> & Co", account_number="201", language="en",
                                 phones=["+12025550178"])
        db.session.commit()
    root = phone("+12025550178").dial()
    assert spoken(root)[0].text.startswith("Hello <Hangup/> & Co,")
    assert root.find("Hangup") is None
