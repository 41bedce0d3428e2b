"""TwiML verbs as a caller experiences them: what is heard, when, and what the app is sent."""

from __future__ import annotations

import pytest

from tests.sim.apps import CALLER, NUMBER, hits, respond


def kinds(call):
    return [h.kind for h in call.heard]


def test_say_uses_voice_language_and_loop_and_takes_speaking_time(sim):
    emu, _ = sim({"/ivr/incoming": respond(
        "<Say voice='Polly.Aditi' language='hi-IN' loop='2'>one two three four five</Say>",
        "<Say>bye</Say>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    says = [h for h in call.heard if h.kind == "say"]
    assert [(h.text, h.voice, h.language) for h in says] == [
        ("one two three four five", "Polly.Aditi", "hi-IN"),
        ("one two three four five", "Polly.Aditi", "hi-IN"),
        ("bye", "man", "en-US"),
    ]
    # 150 words a minute: five words take two seconds, each loop in turn.
    assert [h.t for h in says] == [0.0, 2.0, 4.0]
    assert call.transcript()[0] == (
        "[00:00.0] Say (hi-IN, Polly.Aditi): one two three four five")


def test_play_loops_and_pause_lasts_its_length(sim):
    emu, _ = sim({"/ivr/incoming": respond(
        "<Play loop='2'>/media/welcome.mp3</Play>", "<Pause length='3'/>",
        "<Play digits='ww12'/>", "<Say>done</Say>")})
    emu.set_media_duration("https://ivr.example.test/media/welcome.mp3", 4)
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    heard = [(h.kind, h.t, h.url or h.text) for h in call.heard if h.kind != "hangup"]
    assert heard == [
        ("play", 0.0, "https://ivr.example.test/media/welcome.mp3"),
        ("play", 4.0, "https://ivr.example.test/media/welcome.mp3"),
        ("silence", 8.0, None),
        ("dtmf", 11.0, "ww12"),
        ("say", 12.5, "done"),
    ]


def test_gather_digits_interrupt_prompt_and_go_to_action(sim):
    emu, app = sim({
        "/ivr/incoming": respond(
            "<Gather numDigits='1' action='/ivr/menu' timeout='7'>"
            "<Say>For billing press one. For sales press two.</Say></Gather>",
            "<Say>never reached</Say>"),
        "/ivr/menu": lambda hit: respond(f"<Say>You chose {hit.params['Digits']}</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.gathering)
    emu.advance(1)
    call.press("1")
    emu.run_until(lambda: call.ended)
    assert call.says() == ["For billing press one. For sales press two.", "You chose 1"]
    assert call.heard[0].interrupted and call.heard[0].duration == 1.0
    assert "never reached" not in call.heard_text()
    menu = hits(app, "/ivr/menu")[0]
    assert menu.params["Digits"] == "1"
    assert menu.params["CallStatus"] == "in-progress"


def test_gather_finish_on_key_and_timeout_after_some_digits(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Gather action='/acct' finishOnKey='*'>"
                                 "<Say>Key your account number</Say></Gather>"),
        "/acct": respond("<Gather action='/pin' timeout='3'/>"),
        "/pin": respond("<Say>thanks</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.awaiting_input)
    call.press("1234*")
    emu.run_until(lambda: len(hits(app, "/acct")) == 1)
    assert hits(app, "/acct")[0].params["Digits"] == "1234"
    assert hits(app, "/acct")[0].params["FinishedOnKey"] == "*"
    emu.run_until(lambda: call.awaiting_input)
    call.press("98")
    started = emu.elapsed
    emu.run_until(lambda: len(hits(app, "/pin")) == 1)
    # Digits without a finishing key are sent when the timeout passes after the last one.
    assert emu.elapsed - started == pytest.approx(3)
    assert hits(app, "/pin")[0].params["Digits"] == "98"


def test_gather_without_input_falls_through_to_next_verb(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Gather action='/menu' timeout='5'><Say>Press a key</Say>"
                                 "</Gather>", "<Say>We did not get that</Say>"),
        "/menu": respond("<Say>menu</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["Press a key", "We did not get that"]
    assert hits(app, "/menu") == []
    said_at = [h.t for h in call.heard if h.kind == "say"]
    assert said_at[1] - said_at[0] == pytest.approx(emu.say_seconds("Press a key") + 5)


def test_gather_action_on_empty_result_posts_empty_digits(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Gather action='/menu' actionOnEmptyResult='true' "
                                 "timeout='2'/>", "<Say>not reached</Say>"),
        "/menu": respond("<Say>menu again</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert hits(app, "/menu")[0].params["Digits"] == ""
    assert call.says() == ["menu again"]


def test_gather_default_action_is_the_current_document(sim):
    count = {"n": 0}

    def incoming(hit):
        count["n"] += 1
        if "Digits" in hit.params:
            return respond(f"<Say>got {hit.params['Digits']}</Say>")
        return respond("<Gather numDigits='2'/>")

    emu, app = sim({"/ivr/incoming": incoming})
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.gathering)
    call.press("42")
    emu.run_until(lambda: call.ended)
    assert call.says() == ["got 42"]
    assert [h.path for h in hits(app)] == ["/ivr/incoming", "/ivr/incoming"]


def test_speech_gather_posts_speech_result_and_confidence(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Gather input='speech dtmf' action='/dept' language='en-IN'>"
                                 "<Say>Which department?</Say></Gather>"),
        "/dept": respond("<Say>Connecting you</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.awaiting_input)
    call.say("billing please", confidence=0.82)
    emu.run_until(lambda: call.ended)
    params = hits(app, "/dept")[0].params
    assert params["SpeechResult"] == "billing please"
    assert params["Confidence"] == "0.82"
    assert "Digits" not in params


def test_speech_is_ignored_by_a_dtmf_only_gather(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Gather action='/x' timeout='2'/>", "<Say>fell through</Say>"),
        "/x": respond("<Say>x</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.gathering)
    call.say("hello")
    emu.run_until(lambda: call.ended)
    assert call.says() == ["fell through"]
    assert any(e["type"] == "input_ignored" for e in emu.events)


def test_redirect_and_verbs_after_an_action_are_never_reached(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Say>one</Say>", "<Redirect method='GET'>/two?x=1</Redirect>",
                                 "<Say>skipped</Say>"),
        "/two": respond("<Say>two</Say>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["one", "two"]
    two = hits(app, "/two")[0]
    assert two.method == "GET" and two.params["x"] == "1" and two.params["CallSid"] == call.sid


def test_more_than_ten_redirects_in_a_row_is_an_application_error(sim):
    emu, app = sim({"/ivr/incoming": respond("<Redirect>/ivr/incoming</Redirect>")},
                   fallback_path=None)
    emu.expect_errors = True
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert len(hits(app, "/ivr/incoming")) == 11
    assert call.says() == ["We are sorry, an application error has occurred. Goodbye."]
    assert len(emu.application_errors) == 1


def test_hangup_ends_the_call_and_twiml_running_out_ends_it_too(sim):
    emu, _ = sim({"/ivr/incoming": respond("<Say>bye</Say>", "<Hangup/>", "<Say>no</Say>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["bye"]
    assert call.status == "completed"
    assert call.heard[-1].kind == "hangup"


def test_reject_leaves_the_call_unanswered_and_busy(sim):
    emu, _ = sim({"/ivr/incoming": respond("<Reject reason='busy'/>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.status == "busy"
    assert call.resource.answered_at is None
    assert [h.kind for h in call.heard] == ["rejected", "hangup"]


def test_caller_hanging_up_mid_prompt_stops_the_call(sim):
    emu, app = sim({"/ivr/incoming": respond("<Say>a very long greeting " + "word " * 50
                                             + "</Say>", "<Say>after</Say>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(3)
    call.hangup()
    assert call.ended and call.status == "completed"
    assert "after" not in call.heard_text()
    status = hits(app, "/ivr/status")[0].params
    assert status["CallStatus"] == "completed" and status["CallDuration"] == "3"
