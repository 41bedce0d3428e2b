"""`<Record>`: voicemail, its action, and the recording and transcription callbacks."""

from __future__ import annotations

import pytest

from tests.sim.apps import CALLER, NUMBER, hits, respond

VOICEMAIL = respond(
    "<Say>Leave a message after the beep</Say>",
    "<Record action='/vm/done' timeout='3' maxLength='60' "
    "recordingStatusCallback='/vm/recording' transcribe='true' "
    "transcribeCallback='/vm/transcription'/>",
    "<Say>not reached</Say>",
)
ROUTES = {
    "/ivr/incoming": VOICEMAIL,
    "/vm/done": respond("<Say>Thank you, goodbye</Say>"),
    "/vm/recording": lambda hit: ("", 204),
    "/vm/transcription": lambda hit: ("", 204),
}


def leave_message(emu, text):
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.recording)
    emu.advance(1)
    call.say(text)
    return call


def test_record_beeps_records_speech_and_posts_the_action(sim):
    emu, app = sim(ROUTES)
    call = leave_message(emu, "please call me back about my bill today thanks")  # 9 words
    emu.run_until(lambda: call.ended)
    assert [h.kind for h in call.heard][:2] == ["say", "beep"]
    assert call.says() == ["Leave a message after the beep", "Thank you, goodbye"]
    done = hits(app, "/vm/done")[0].params
    assert done["RecordingDuration"] == "4"  # 9 words at 150 a minute, silence trimmed
    assert done["Digits"] == ""
    assert done["RecordingSid"].startswith("RE")
    assert done["RecordingUrl"].endswith(f"/Recordings/{done['RecordingSid']}")
    assert done["RecordingSid"] in emu.store.recordings


def test_silence_timeout_ends_the_recording(sim):
    emu, app = sim(ROUTES)
    leave_message(emu, "hello there")
    said_at = emu.elapsed
    emu.run_until(lambda: hits(app, "/vm/done"))
    # Speech lasts 0.8 s, then three seconds of silence end the recording.
    assert emu.elapsed - said_at == pytest.approx(0.8 + 3)


def test_finish_key_ends_the_recording_and_is_reported(sim):
    emu, app = sim(ROUTES)
    call = leave_message(emu, "short message")
    call.press("#")
    emu.run_until(lambda: hits(app, "/vm/done"))
    assert hits(app, "/vm/done")[0].params["Digits"] == "#"


def test_hanging_up_still_reports_the_recording_with_digits_hangup(sim):
    emu, app = sim(ROUTES)
    call = leave_message(emu, "call me back")
    emu.advance(1)
    call.hangup()
    emu.advance(10)
    done = hits(app, "/vm/done")[0].params
    assert done["Digits"] == "hangup"
    assert call.says() == ["Leave a message after the beep"]  # the answer is never played
    assert len(hits(app, "/vm/recording")) == 1


def test_an_empty_recording_goes_on_to_the_next_verb_without_the_action(sim):
    emu, app = sim(ROUTES)
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert hits(app, "/vm/done") == []
    assert call.says()[-1] == "not reached"


def test_recording_and_transcription_callbacks_follow(sim):
    emu, app = sim(ROUTES)
    call = leave_message(emu, "please call me back about my bill today thanks")
    call.set_transcription("Please call me back about my bill.")
    emu.run_until(lambda: hits(app, "/vm/transcription"))
    rec = hits(app, "/vm/recording")[0].params
    tr = hits(app, "/vm/transcription")[0].params
    sid = hits(app, "/vm/done")[0].params["RecordingSid"]
    assert rec["RecordingSid"] == sid and rec["RecordingStatus"] == "completed"
    assert rec["RecordingSource"] == "RecordVerb" and rec["RecordingDuration"] == "4"
    assert tr["TranscriptionStatus"] == "completed"
    assert tr["TranscriptionText"] == "Please call me back about my bill."
    assert tr["RecordingSid"] == sid and tr["CallSid"] == call.sid
    assert [h.path for h in hits(app)].index("/vm/recording") < [
        h.path for h in hits(app)].index("/vm/transcription")


def test_transcription_defaults_to_the_words_spoken(sim):
    emu, app = sim(ROUTES)
    leave_message(emu, "my order never arrived")
    emu.run_until(lambda: hits(app, "/vm/transcription"))
    assert hits(app, "/vm/transcription")[0].params["TranscriptionText"] == (
        "my order never arrived")


def test_recordings_shorter_than_two_seconds_are_not_transcribed(sim):
    emu, app = sim(ROUTES)
    leave_message(emu, "hi")
    emu.run_until(lambda: hits(app, "/vm/transcription"))
    tr = hits(app, "/vm/transcription")[0].params
    assert tr["TranscriptionStatus"] == "failed" and tr["TranscriptionText"] == ""


def test_callbacks_can_be_duplicated_and_reordered(sim):
    emu, app = sim(ROUTES)
    emu.set_callback_chaos(duplicate=True, out_of_order=True)
    leave_message(emu, "please call me back about my bill today thanks")
    emu.advance(20)
    paths = [h.path for h in hits(app) if h.path in ("/vm/recording", "/vm/transcription")]
    assert paths == ["/vm/transcription", "/vm/transcription", "/vm/recording",
                     "/vm/recording"]
    first, second = hits(app, "/vm/recording")
    assert first.params == second.params
