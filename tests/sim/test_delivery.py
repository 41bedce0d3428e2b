"""Twilio's delivery rules: one retry, on a failed connection only, unless the URL's
connection overrides (`#rc=`, `#rp=`, `#ct=`, `#rt=`, `#tt=`) say otherwise.

Source: Twilio, "Webhooks (HTTP callbacks): Connection Overrides"
(https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides), and error 11205
("two 5-second attempts" to connect).
"""

from __future__ import annotations

import pytest
from flask import Response

from sim.delivery import Overrides, split
from tests.sim.apps import CALLER, NUMBER, hits, respond


def voicemail(status_url: str) -> dict:
    return {
        "/ivr/incoming": respond(
            "<Say>Leave a message</Say>",
            "<Record action='/vm/done' timeout='2' "
            f"recordingStatusCallback='{status_url.replace('&', '&amp;')}'/>"),
        "/vm/done": respond("<Say>Thank you</Say>"),
    }


def answers(*statuses: int):
    """A handler answering these statuses in turn, then 204."""
    left = list(statuses)

    def handler(hit):
        return Response("", status=left.pop(0) if left else 204)

    return handler


def leave_message(emu) -> None:
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.recording)
    call.say("please call me back")
    emu.run_until(lambda: call.ended)
    emu.advance(60)


def attempts(emu, purpose: str) -> list[dict]:
    return [e for e in emu.events if e["type"] == "webhook" and e["purpose"] == purpose]


# -- the fragment --------------------------------------------------------------------------


def test_the_fragment_is_split_off_with_twilios_defaults_and_ranges():
    assert split("https://x.test/a?b=1") == ("https://x.test/a?b=1", Overrides())
    target, o = split("https://x.test/a?b=1#rc=3&rp=5xx,ct&ct=1000&rt=2000&tt=9000")
    assert target == "https://x.test/a?b=1"
    assert (o.rc, o.rp, o.ct, o.rt, o.tt) == (3, frozenset({"5xx", "ct"}), 1000, 2000, 9000)
    assert Overrides() == Overrides(ct=5000, rt=15000, tt=15000, rc=1, rp=frozenset({"ct"}))
    # Held to the documented ranges: rc 0-5, ct 100-10000, tt up to 15000.
    _, o = split("https://x.test/#rc=9&ct=50&tt=60000")
    assert (o.rc, o.ct, o.tt) == (5, 100, 15000)
    assert split("https://x.test/#rp=sometimes")[1].invalid
    assert split("https://x.test/#top") == ("https://x.test/", Overrides())


# -- by default -----------------------------------------------------------------------------


def test_a_callback_answered_500_is_not_retried(sim):
    emu, app = sim({**voicemail("/vm/recording"), "/vm/recording": answers(500)})
    emu.expect_errors = True
    leave_message(emu)
    assert [h.path for h in hits(app) if h.path == "/vm/recording"] == ["/vm/recording"]
    assert [e["status"] for e in attempts(emu, "recording-status")] == [500]
    assert not [e for e in emu.events if e["type"] == "webhook_retry"]


def test_a_failed_connection_is_retried_once_five_seconds_later(sim):
    emu, app = sim({**voicemail("/vm/recording"), "/vm/recording": answers()})
    emu.webhook_faults.add("/vm/recording", failure="ct")
    leave_message(emu)
    tries = attempts(emu, "recording-status")
    assert [t["failure"] if "failure" in t else t["status"] for t in tries] == ["ct", 204]
    assert tries[1]["t"] - tries[0]["t"] == pytest.approx(5.0)  # ct's default, 5000 ms
    assert len(hits(app, "/vm/recording")) == 1  # the failed one never reached the app


def test_two_failed_connections_lose_the_callback(sim):
    emu, app = sim({**voicemail("/vm/recording"), "/vm/recording": answers()})
    emu.expect_errors = True
    emu.webhook_faults.add("/vm/recording", failure="ct", count=2)
    leave_message(emu)
    assert len(attempts(emu, "recording-status")) == 2
    assert hits(app, "/vm/recording") == []
    assert any(e["type"] == "webhook_error" and e["purpose"] == "recording-status"
               for e in emu.events)


def test_a_voice_url_answering_500_goes_to_the_fallback_at_once(sim):
    emu, app = sim({"/ivr/incoming": lambda hit: Response("down", status=500),
                    "/ivr/fallback": respond("<Say>Sorry, one moment</Say>")})
    emu.expect_errors = True
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert len(hits(app, "/ivr/incoming")) == 1
    assert call.says() == ["Sorry, one moment"]


def test_a_voice_url_that_cannot_be_reached_is_tried_again(sim):
    emu, app = sim({"/ivr/incoming": respond("<Say>Welcome</Say>")})
    emu.webhook_faults.add("/ivr/incoming", failure="ct")
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["Welcome"]
    assert call.heard[0].t == pytest.approx(5.0)  # the caller waited for the second try


# -- with overrides --------------------------------------------------------------------------


def test_rp_5xx_retries_server_errors_and_the_fragment_is_neither_sent_nor_signed(sim):
    emu, app = sim({**voicemail("/vm/recording#rp=5xx&rc=3"),
                    "/vm/recording": answers(500, 503)})
    leave_message(emu)
    got = hits(app, "/vm/recording")
    assert len(got) == 3
    assert all(h.valid and "#" not in h.url for h in got)  # signed without the fragment
    assert [e["status"] for e in attempts(emu, "recording-status")] == [500, 503, 204]
    # One request, three attempts: the same idempotency token.
    assert len({h.headers["I-Twilio-Idempotency-Token"] for h in got}) == 1


def test_rc_bounds_the_retries(sim):
    emu, app = sim({**voicemail("/vm/recording#rp=5xx&rc=1"),
                    "/vm/recording": answers(500, 500, 500)})
    emu.expect_errors = True
    leave_message(emu)
    assert len(hits(app, "/vm/recording")) == 2


def test_a_read_timeout_retried_with_rp_rt_reaches_the_app_twice(sim):
    emu, app = sim({**voicemail("/vm/recording#rp=rt&rt=2000"), "/vm/recording": answers()})
    emu.webhook_faults.add("/vm/recording", failure="rt")
    leave_message(emu)
    assert len(hits(app, "/vm/recording")) == 2  # the app acted on the first one too


def test_with_the_default_read_timeout_no_time_is_left_to_retry_it(sim):
    # rt and tt are both 15 s by default: a read timeout spends the whole budget.
    emu, app = sim({**voicemail("/vm/recording#rp=rt"), "/vm/recording": answers()})
    emu.expect_errors = True
    emu.webhook_faults.add("/vm/recording", failure="rt")
    leave_message(emu)
    assert len(hits(app, "/vm/recording")) == 1


def test_a_read_timeout_is_not_retried_by_default(sim):
    emu, app = sim({**voicemail("/vm/recording"), "/vm/recording": answers()})
    emu.expect_errors = True
    emu.webhook_faults.add("/vm/recording", failure="rt")
    leave_message(emu)
    assert len(attempts(emu, "recording-status")) == 1


def test_tt_bounds_the_time_all_attempts_take(sim):
    emu, app = sim({**voicemail("/vm/recording#rc=5&ct=5000&tt=12000"),
                    "/vm/recording": answers()})
    emu.expect_errors = True
    emu.webhook_faults.add("/vm/recording", failure="ct", count=5)
    leave_message(emu)
    # 5 s, 5 s, then a third attempt; 15 s spent is past 12 s: no fourth.
    assert len(attempts(emu, "recording-status")) == 3
    assert any(e["type"] == "webhook_error" and e.get("code") == 11203 for e in emu.events)


def test_an_invalid_retry_policy_is_refused_with_11243(sim):
    emu, app = sim({**voicemail("/vm/recording#rp=never"), "/vm/recording": answers()})
    emu.expect_errors = True
    leave_message(emu)
    assert hits(app, "/vm/recording") == []
    assert any(e["type"] == "webhook_error" and e.get("code") == 11243 for e in emu.events)


def test_conference_status_callbacks_honour_overrides_too(sim):
    emu, app = sim({
        "/ivr/incoming": respond(
            "<Dial><Conference statusCallback='/conf/events#rp=5xx&amp;rc=2' "
            "statusCallbackEvent='join'>room</Conference></Dial>"),
        "/conf/events": answers(500),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.in_conference)
    emu.advance(1)
    got = hits(app, "/conf/events")
    assert [h.params["StatusCallbackEvent"] for h in got] == ["participant-join"] * 2
    call.hangup()


def test_the_process_takes_a_chaos_seed():
    import argparse

    from sim.serve import add_arguments, build

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert build(parser.parse_args([])).chaos is None
    emu = build(parser.parse_args(["--chaos-seed", "7"]))
    assert emu.chaos is not None and emu.chaos.seed == 7


# -- chaos ------------------------------------------------------------------------------------

ROOM = {"/ivr/incoming": respond(
    "<Dial><Conference statusCallback='/conf/events' statusCallbackEvent='join leave end'>"
    "room</Conference></Dial>")}


def test_chaos_is_the_same_for_the_same_seed(sim):
    plans = []
    for _ in range(2):
        emu, app = sim({**ROOM, "/conf/events": answers()})
        emu.set_chaos(5)
        call = emu.dial_in(CALLER, NUMBER)
        emu.run_until(lambda c=call: c.in_conference)
        call.hangup()
        emu.advance(5)
        plans.append((emu.chaos.plan,
                      [h.params.get("StatusCallbackEvent") for h in hits(app, "/conf/events")]))
    assert plans[0] == plans[1]


def test_chaos_sends_callbacks_at_the_same_time(sim):
    import threading

    together = threading.Barrier(2, timeout=5)

    def both_at_once(hit):
        if hit.params["StatusCallbackEvent"] in ("participant-leave", "conference-end"):
            together.wait()  # raises (a 500) unless the other one is in flight too
        return Response("", status=204)

    emu, app = sim({**ROOM, "/conf/events": both_at_once})
    emu.set_chaos(1, late=0, duplicate=0, concurrent=1.0)
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.in_conference)
    call.hangup()
    emu.advance(1)
    sent = [e for e in emu.events if e["type"] == "webhook" and e["purpose"] in (
        "conference:participant-leave", "conference:conference-end")]
    assert [e["status"] for e in sent] == [204, 204] and all(e["detached"] for e in sent)


def test_chaos_delivers_late_and_twice(sim):
    emu, app = sim({**ROOM, "/conf/events": answers()})
    emu.set_chaos(3, late=1.0, duplicate=1.0, concurrent=0)
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.in_conference)
    joined_at = emu.elapsed
    emu.advance(3)
    got = hits(app, "/conf/events")
    assert [h.params["StatusCallbackEvent"] for h in got] == ["participant-join"] * 2
    first = next(e for e in emu.events if e["type"] == "webhook"
                 and e["purpose"] == "conference:participant-join")
    assert first["t"] > joined_at
    call.hangup()
