"""Virtual time: the engine's clock, freezegun's clock and the app's clock agree."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from freezegun import freeze_time

from sim import Emulator, VirtualClock, WsgiTransport
from sim.clock import RealClock
from tests.sim.apps import ACCOUNT_SID, AUTH_TOKEN, BASE, CALLER, NUMBER, hits, make_app, respond


def test_freezegun_time_moves_with_the_emulator():
    seen: list[datetime] = []

    def gather_done(hit):
        seen.append(datetime.now(UTC))
        return respond("<Say>bye</Say>")

    def incoming(hit):
        seen.append(datetime.now(UTC))
        return respond("<Gather action='/done' numDigits='1' timeout='60'>"
                       "<Say>press</Say></Gather>")

    app = make_app({"/ivr/incoming": incoming, "/done": gather_done})
    with freeze_time("2026-11-23 09:00:00") as frozen:
        emu = Emulator(ACCOUNT_SID, AUTH_TOKEN, clock=VirtualClock(freezer=frozen),
                       transport=WsgiTransport(app))
        emu.add_number(NUMBER, f"{BASE}/ivr/incoming")
        call = emu.dial_in(CALLER, NUMBER)
        emu.advance(45)
        assert datetime.now(UTC) == datetime(2026, 11, 23, 9, 0, 45, tzinfo=UTC)
        assert time.time() == datetime(2026, 11, 23, 9, 0, 45, tzinfo=UTC).timestamp()
        call.press("1")
        emu.run_until(lambda: call.ended)
        emu.stop()
    assert seen == [datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC),
                    datetime(2026, 11, 23, 9, 0, 45, tzinfo=UTC)]
    # The event log's timestamps are the same frozen time.
    gather = next(e for e in emu.events if e["type"] == "webhook" and e["url"].endswith("/done"))
    assert gather["at"] == "2026-11-23T09:00:45Z" and gather["t"] == 45.0


def test_advance_runs_events_in_time_order_and_stops_at_the_target():
    app = make_app({"/ivr/incoming": respond("<Pause length='10'/>", "<Say>late</Say>")})
    emu = Emulator(ACCOUNT_SID, AUTH_TOKEN, clock=VirtualClock(datetime(2026, 1, 1)),
                   transport=WsgiTransport(app))
    emu.add_number(NUMBER, f"{BASE}/ivr/incoming")
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(9.9)
    assert emu.elapsed == 9.9 and call.says() == []
    emu.advance(0.1)
    assert call.says() == ["late"]
    assert emu.now == datetime(2026, 1, 1, 0, 0, 10, tzinfo=UTC)
    emu.stop()


def test_run_until_times_out_in_virtual_time_without_sleeping():
    app = make_app({"/ivr/incoming": respond("<Pause length='600'/>")})
    emu = Emulator(ACCOUNT_SID, AUTH_TOKEN, transport=WsgiTransport(app))
    emu.add_number(NUMBER, f"{BASE}/ivr/incoming")
    call = emu.dial_in(CALLER, NUMBER)
    started = time.monotonic()
    try:
        emu.run_until(lambda: call.ended, timeout=300)
    except TimeoutError as exc:
        assert "not met within 300" in str(exc)
    else:
        raise AssertionError("expected a timeout")
    assert time.monotonic() - started < 5
    assert emu.elapsed == 300
    emu.stop()


def test_real_clock_runs_due_events_in_a_thread():
    app = make_app({"/ivr/incoming": respond("<Pause length='0.2'/>", "<Say>done</Say>")})
    emu = Emulator(ACCOUNT_SID, AUTH_TOKEN, clock=RealClock(), transport=WsgiTransport(app))
    emu.add_number(NUMBER, f"{BASE}/ivr/incoming")
    emu.start()
    try:
        call = emu.dial_in(CALLER, NUMBER)
        waited = emu.run_until(lambda: call.ended, timeout=5)
        assert call.says() == ["done"]
        assert waited >= 0.2 + emu.say_seconds("done") - 0.05
        assert len(hits(app, "/ivr/incoming")) == 1
    finally:
        emu.stop()


def test_rest_api_works_under_freezegun_and_stamps_frozen_dates():
    from sim.testing import twilio_client

    app = make_app({"/out": respond("<Say>one two three four five</Say>")})
    with freeze_time("2026-11-23 09:00:00") as frozen:
        emu = Emulator(ACCOUNT_SID, AUTH_TOKEN, clock=VirtualClock(freezer=frozen),
                       transport=WsgiTransport(app))
        emu.start_rest_server()
        client = twilio_client(emu)
        emu.advance(30)
        call = client.calls.create(to="+15551230000", from_=NUMBER, url=f"{BASE}/out")
        assert call.date_created == datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)
        emu.run_until(lambda: emu.call(call.sid).ended)
        fetched = client.calls(call.sid).fetch()
        assert fetched.start_time == datetime(2026, 11, 23, 9, 0, 32, tzinfo=UTC)
        assert fetched.end_time == datetime(2026, 11, 23, 9, 0, 34, tzinfo=UTC)  # 2 s later
        emu.stop()
