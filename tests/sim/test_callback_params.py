"""Callback parameters as Twilio documents them: the `<Dial>` action after the caller hung up
carries `CallStatus=completed`; a recording with no audio is reported `absent` to a status
callback that subscribed to it (and to no other)."""

from __future__ import annotations

from tests.sim.apps import CALLER, NUMBER, hits, respond


def test_the_dial_action_after_the_caller_hung_up_says_the_call_completed(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Dial action='/after'><Conference>room</Conference></Dial>"),
        "/after": respond("<Say>never heard</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.in_conference)
    emu.advance(5)
    call.hangup()
    emu.advance(1)
    action = hits(app, "/after")[0].params
    assert action["CallStatus"] == "completed"
    assert action["DialCallStatus"] == "completed"
    assert not call.has_heard("never heard")


def test_the_dial_action_while_the_caller_is_still_there_is_in_progress(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Dial action='/after' timeout='5'>"
                                 "<Number>+15551230000</Number></Dial>"),
        "/after": respond("<Say>nobody answered</Say>"),
    })
    emu.phone("+15551230000", policy="no-answer")
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended, timeout=20)
    action = hits(app, "/after")[0].params
    assert (action["CallStatus"], action["DialCallStatus"]) == ("in-progress", "no-answer")


RECORD = ("<Record action='/vm/done' timeout='3' recordingStatusCallback='/vm/recording' "
          "recordingStatusCallbackEvent='{events}'/>")


def _silent_message(sim, events: str):
    emu, app = sim({"/ivr/incoming": respond(RECORD.format(events=events)),
                    "/vm/done": respond("<Say>thanks</Say>"),
                    "/vm/recording": lambda hit: ("", 204)})
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended, timeout=20)
    emu.advance(2)
    return app


def test_a_recording_with_no_audio_is_reported_absent_when_subscribed(sim):
    app = _silent_message(sim, "completed absent")
    [status] = [h.params for h in hits(app, "/vm/recording")]
    assert status["RecordingStatus"] == "absent"
    assert status["RecordingDuration"] == "0"
    assert status["RecordingSid"].startswith("RE")
    assert not hits(app, "/vm/done")  # no audio: the action is not requested


def test_no_absent_callback_unless_subscribed(sim):
    app = _silent_message(sim, "completed")
    assert not hits(app, "/vm/recording")
