"""The agent's own words (R9, R5, R11): the greeting, the apology for a wait and the
"anything else?" line the console shows, in the caller's language, through whole calls."""

from __future__ import annotations

from app.calls.words import APOLOGY_AFTER_SECONDS
from app.floor.departments import active_departments
from tests.calls.conftest import phrase, sign_in, talking
from tests.flows.conftest import NUMBER

JORDAN = "+12025550143"  # a demo customer who speaks English


def words(console, call) -> dict:
    response = console.get(f"/api/calls/{call.sid}/words")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def lines(body: dict) -> dict[str, dict]:
    return {line["key"]: line for line in body["lines"]}


def billing_in(floor, language: str) -> str:
    with floor.app.app_context():
        [billing] = [d for d in active_departments() if d.slug == "billing"]
        return billing.name_in(language)


def test_a_prompt_answer_gets_the_greeting_in_hindi_and_no_apology(floor, amy):
    call = talking(floor, amy)  # Asha, greeted in Hindi, picks billing
    body = words(amy, call)
    assert body["language"] == "hi" and body["language_name"] == "हिन्दी"
    assert body["waited_seconds"] < APOLOGY_AFTER_SECONDS and body["wait_reason"] is None
    assert [line["key"] for line in body["lines"]] == ["greeting", "anything_else"]
    greeting = lines(body)["greeting"]
    values = {"agent": "Amy", "organisation": "Example Support"}
    assert greeting["text"] == phrase("calls.words_greeting", "hi").format(
        department=billing_in(floor, "hi"), **values)
    assert greeting["english"] == phrase("calls.words_greeting", "en").format(
        department=billing_in(floor, "en"), **values)
    assert lines(body)["anything_else"]["text"] == phrase("calls.words_anything_else", "hi")


def test_a_caller_who_waited_hears_why_and_an_apology(floor):
    amy = sign_in(floor, "amy", ["billing"], state="away")
    call = floor.emu.dial_in(JORDAN, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: call.in_conference, timeout=60)
    floor.wait(20)
    floor.set_state("amy", ["billing"], "available")
    floor.wait_until(lambda: amy.phone.is_ringing, timeout=10)
    amy.phone.answer()
    floor.wait(1)
    body = words(amy, call)
    assert body["language"] == "en" and body["waited_seconds"] >= 20
    assert body["wait_reason"] == "busy"
    apology = lines(body)["apology"]
    assert apology["text"] == phrase("calls.words_apology_busy", "en")
    assert apology["english"] is None  # the caller's language is English already
    assert [line["key"] for line in body["lines"]] == ["greeting", "apology", "anything_else"]


def test_a_ring_an_agent_missed_is_the_reason_given(floor):
    ann = sign_in(floor, "ann", ["billing"])
    bea = sign_in(floor, "bea", ["billing"], state="away")
    call = floor.emu.dial_in(JORDAN, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: ann.phone.is_ringing, timeout=30)
    floor.wait(8)
    ann.phone.reject()  # ann goes away; Jordan is back in line
    floor.wait(8)
    floor.set_state("bea", ["billing"], "available")
    floor.wait_until(lambda: bea.phone.is_ringing, timeout=10)
    bea.phone.answer()
    floor.wait(1)
    body = words(bea, call)
    assert body["wait_reason"] == "missed"
    assert lines(body)["apology"]["text"] == phrase("calls.words_apology_missed", "en")
    assert "Bea" in lines(body)["greeting"]["text"]


def test_only_an_agent_on_the_call_reads_its_words(floor, amy):
    call = talking(floor, amy)
    other = sign_in(floor, "bob", ["support"])
    response = other.get(f"/api/calls/{call.sid}/words")
    assert response.status_code == 403
    assert other.get("/api/calls/CA_nothing/words").status_code == 404


def test_a_supervisor_reading_the_call_sees_the_agents_name(floor, amy):
    call = talking(floor, amy)
    sue = sign_in(floor, "sue", ["billing"], state="away", role="supervisor")
    greeting = lines(words(sue, call))["greeting"]
    assert "Amy" in greeting["english"] and "Sue" not in greeting["english"]
