"""Agent hold through the emulator: music with an apology in the caller's language, the hold
clock's warnings to the agent, and at the limit an apology and the caller reconnected."""

from __future__ import annotations

from sim.testing import assert_heard, assert_not_heard
from tests.calls.conftest import hears, phrase, talking

HOLD_MUSIC = "MARKOVICHAMP-Borghestral.mp3"


def test_hold_plays_music_with_an_apology_and_resume_reminds_the_agent(floor, amy):
    call = talking(floor, amy)
    response = amy.post(f"/api/calls/{call.sid}/hold")
    assert response.status_code == 200, response.get_json()
    view = response.get_json()
    assert view["state"] == "held" and view["held_since"] is not None
    assert view["hold"] == {"warn_at": [30, 45], "limit": 55}
    floor.wait(10)
    assert_heard(call, phrase("calls.hold_apology"))  # in Hindi, Asha's language
    assert any(h.kind == "play" and HOLD_MUSIC in (h.url or "") for h in call.heard)
    assert not hears(call, "client:amy")
    amy.phone.say("Let me check your invoice")
    assert not call.has_heard("Let me check your invoice")
    assert [e["type"] for e in amy.events() if e["type"].startswith("hold.")] == ["hold.started"]
    response = amy.post(f"/api/calls/{call.sid}/resume")
    assert response.status_code == 200 and response.get_json()["state"] == "talking"
    floor.wait(1)
    assert hears(call, "client:amy")
    resumed = amy.events("hold.resumed")[-1]
    assert resumed["remind"] == "apologise and explain" and 9 <= resumed["held_seconds"] <= 12
    # The hold clock stopped with the hold: no warning comes later.
    floor.wait(50)
    assert not amy.events("hold.warning") and not amy.events("hold.limit")
    assert_not_heard(call, phrase("calls.hold_limit_apology"))


def test_the_hold_clock_warns_the_agent_then_reconnects_the_caller_before_a_minute(floor, amy):
    call = talking(floor, amy)
    amy.post(f"/api/calls/{call.sid}/hold")
    held_at = floor.emu.elapsed
    floor.wait_until(lambda: amy.events("hold.limit"), timeout=60)
    warnings = amy.events("hold.warning")
    assert [w["after_seconds"] for w in warnings] == [30, 45]
    started = amy.events("hold.started")[0]["at"]
    for warning, at in zip(warnings, (30, 45), strict=True):
        assert at <= warning["at"] - started < at + 1.5
    limit = amy.events("hold.limit")[0]
    assert 55 <= limit["at"] - started < 56.5
    floor.wait(1)
    # The caller hears the apology and is with the agent again, well before 60 s.
    assert floor.emu.elapsed - held_at < 60
    assert hears(call, "client:amy")
    floor.wait(8)
    assert_heard(call, phrase("calls.hold_limit_apology"))
    assert amy.events("hold.resumed")[-1]["why"] == "limit"
    view = amy.get(f"/api/calls/{call.sid}").get_json()
    assert view["state"] == "talking" and view["held_since"] is None


def test_a_second_hold_gets_a_fresh_clock(floor, amy):
    call = talking(floor, amy)
    amy.post(f"/api/calls/{call.sid}/hold")
    floor.wait(25)
    amy.post(f"/api/calls/{call.sid}/resume")
    floor.wait(2)
    amy.post(f"/api/calls/{call.sid}/hold")
    floor.wait(20)
    assert not amy.events("hold.warning")  # 47 s since the first hold, 20 s into this one
    floor.wait(11)
    assert [w["after_seconds"] for w in amy.events("hold.warning")] == [30]


def test_hold_needs_a_call_being_talked_on(floor, amy):
    call = talking(floor, amy)
    amy.phone.hangup()
    floor.wait(2)
    response = amy.post(f"/api/calls/{call.sid}/hold")
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "call_not_live"


def test_the_agent_hangs_up_from_the_console(floor, amy):
    call = talking(floor, amy)
    response = amy.post(f"/api/calls/{call.sid}/hangup")
    assert response.status_code == 200, response.get_json()
    floor.wait(2)
    assert amy.phone.call is None
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert any(e["type"] == "call.ended" for e in amy.events())
    floor.wait_until(lambda: call.ended, timeout=60)
    assert amy.get(f"/api/calls/{call.sid}").get_json()["state"] in ("wrap-up", "ended")


def test_hanging_up_while_the_caller_is_held_ends_the_hold(floor, amy):
    call = talking(floor, amy)
    amy.post(f"/api/calls/{call.sid}/hold")
    floor.wait(5)
    amy.post(f"/api/calls/{call.sid}/hangup")
    floor.wait_until(lambda: call.ended, timeout=60)
    floor.wait(60)
    assert not amy.events("hold.warning")


def test_a_caller_who_hangs_up_on_hold_ends_the_hold(floor, amy):
    call = talking(floor, amy)
    amy.post(f"/api/calls/{call.sid}/hold")
    floor.wait(5)
    call.hangup()
    floor.wait(60)
    assert not amy.events("hold.warning") and not amy.events("hold.limit")
    assert floor.agent_state("amy")["state"] in ("wrap_up", "available")


def test_twilio_refusing_a_hold_is_an_answer_not_a_held_caller(floor, amy):
    from sim.faults import faults

    call = talking(floor, amy)
    faults(floor.emu).add("participants.update", status=503)
    response = amy.post(f"/api/calls/{call.sid}/hold")
    assert response.status_code == 502
    assert response.get_json()["error"]["id"] == "telephony_failed"
    floor.wait(1)
    assert hears(call, "client:amy")
    assert amy.get(f"/api/calls/{call.sid}").get_json()["state"] == "talking"
    assert amy.post(f"/api/calls/{call.sid}/hold").get_json()["state"] == "held"


def test_a_malay_caller_hears_the_apology_in_malay(floor, bob):
    from tests.flows.conftest import NURUL

    call = talking(floor, bob, NURUL, key="2")
    bob.post(f"/api/calls/{call.sid}/hold")
    floor.wait(10)
    assert_heard(call, phrase("calls.hold_apology", "ms"))


def test_hold_finds_the_room_when_its_sid_was_not_seen(floor, amy):
    call = talking(floor, amy)
    store = floor.store()
    store.redis.hdel(f"{store.keys.prefix}:ctl:{call.sid}", "conference_sid")
    assert amy.post(f"/api/calls/{call.sid}/hold").get_json()["state"] == "held"
    floor.wait(1)
    assert not hears(call, "client:amy")
