"""`<Record>`: a voicemail. The party's speech is the audio; the transcription text is the
script's to choose. Callbacks come after, and may be duplicated or reordered on request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.scheduler import HungUp, Sleep
from sim.state import Recording, new_sid
from sim.twiml import Node
from sim.webhooks import Doc, call_params, fetch_twiml, notify

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call

INPUT = frozenset({"digits", "speech"})
TRANSCRIBABLE = (2, 120)  # seconds: Twilio transcribes only recordings this long


def record(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    finish_keys = node.get("finishOnKey", "1234567890*#")
    silence = node.number("timeout", 5)
    max_length = node.number("maxLength", 3600)
    trim = node.get("trim", "trim-silence") != "do-not-trim"
    call.activity = "beep"  # not yet recording: speech during the beep is lost
    if node.flag("playBeep", True):
        emu.hear(call, "beep", duration=0.5, source="twiml")
        yield Sleep(0.5)
    call.activity = "record"
    start = emu.sched.now()
    sound_start: float | None = None
    sound_end = start
    words: list[str] = []
    ended_by = "timeout"
    try:
        while True:
            now = emu.sched.now()
            waits = [start + max_length - now]
            if silence > 0:
                waits.append(max(sound_end, now) + silence - now)
            sig = yield Sleep(max(min(waits), 0), INPUT)
            if sig is None:
                ended_by = "max-length" if emu.sched.now() >= start + max_length else "timeout"
                break
            if sig.kind == "digits":
                key = next((k for k in sig.value if k in finish_keys), None)
                if key is not None:
                    ended_by = key
                    break
                continue
            text = sig.value[0]
            words.append(text)
            now = emu.sched.now()
            sound_start = now if sound_start is None else sound_start
            sound_end = max(sound_end, now) + emu.say_seconds(text)
    except HungUp:
        ended_by = "hangup"
    end = min(emu.sched.now(), start + max_length)
    call.activity = "twiml"
    if not words:
        # An empty recording: no action request, the call goes on with the next verb.
        emu.log("record_empty", call_sid=call.sid, ended_by=ended_by)
        _absent(emu, call, node, doc)
        if ended_by == "hangup":
            raise HungUp()
        return None
    duration = min(sound_end, end) - (sound_start or start) if trim else end - start
    seconds = max(1, int(round(duration)))
    rec = Recording(new_sid("RE"), emu.account_sid, call.sid, emu.clock.now(),
                    start_time=emu.clock.now(), duration=seconds,
                    conference_sid=call.conference_sid)
    emu.store.recordings[rec.sid] = rec
    emu.log("recording", call_sid=call.sid, recording_sid=rec.sid, duration=seconds,
            ended_by=ended_by, words=" ".join(words))
    _callbacks(emu, call, node, doc, rec, " ".join(words))

    url = emu.recording_url(rec.sid)
    params = {"RecordingUrl": url, "RecordingDuration": str(seconds), "RecordingSid": rec.sid,
              "Digits": "hangup" if ended_by == "hangup" else
              (ended_by if len(ended_by) == 1 else "")}
    action = doc.resolve(node.get("action")) or doc.url
    if ended_by == "hangup":
        if action:
            # Twilio still reports the recording; what the app answers cannot be played.
            yield from fetch_twiml(emu, call, action, node.get("method", "POST"), params,
                                   purpose="record")
        raise HungUp()
    if not action:
        return None
    return (yield from fetch_twiml(emu, call, action, node.get("method", "POST"), params,
                                   purpose="record"))


def _status_events(node: Node) -> list[str]:
    return (node.get("recordingStatusCallbackEvent") or "completed").replace(",", " ").split()


def _absent(emu: Emulator, call: Call, node: Node, doc: Doc) -> None:
    """No audio: `RecordingStatus=absent`, for a status callback that subscribed to it.

    Twilio documents the status, not its parameters: the emulator sends a recording SID with
    no media (no `RecordingUrl`) and a zero duration (docs/emulator.md, "Known gaps").
    """
    status_url = doc.resolve(node.get("recordingStatusCallback"))
    if not status_url or "absent" not in _status_events(node):
        return
    params = {
        "AccountSid": emu.account_sid, "CallSid": call.sid, "RecordingSid": new_sid("RE"),
        "RecordingStatus": "absent", "RecordingDuration": "0", "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
    }
    notify(emu, call.sid, status_url, node.get("recordingStatusCallbackMethod", "POST"),
           params, "recording-status", delay=1.0)


def _callbacks(emu: Emulator, call: Call, node: Node, doc: Doc, rec: Recording,
               words: str) -> None:
    """Recording status and transcription callbacks, a little after the recording ends."""
    sends: list[tuple[float, str, str, dict[str, str], str]] = []
    base = call_params(emu, call)
    status_url = doc.resolve(node.get("recordingStatusCallback"))
    if status_url and "completed" in _status_events(node):
        params = {
            "AccountSid": emu.account_sid, "CallSid": call.sid, "RecordingSid": rec.sid,
            "RecordingUrl": emu.recording_url(rec.sid), "RecordingStatus": "completed",
            "RecordingDuration": str(rec.duration), "RecordingChannels": "1",
            "RecordingSource": "RecordVerb", "RecordingStartTime": rec.start_time.strftime(
                "%a, %d %b %Y %H:%M:%S +0000"),
        }
        method = node.get("recordingStatusCallbackMethod", "POST")
        sends.append((1.0, status_url, method, params, "recording-status"))
    transcribe_url = doc.resolve(node.get("transcribeCallback"))
    if node.flag("transcribe", False) or transcribe_url:
        hint = call.recording_hint or {}
        text = hint.get("text") if hint.get("text") is not None else (
            emu.take_transcription() or words)
        ok = TRANSCRIBABLE[0] <= rec.duration <= TRANSCRIBABLE[1] and not hint.get("fails")
        call.recording_hint = {}
        tr_sid = new_sid("TR")
        emu.log("transcription", call_sid=call.sid, recording_sid=rec.sid, sid=tr_sid,
                status="completed" if ok else "failed", text=text if ok else "")
        if transcribe_url:
            params = {
                **base, "TranscriptionSid": tr_sid,
                "TranscriptionText": text if ok else "",
                "TranscriptionStatus": "completed" if ok else "failed",
                "TranscriptionUrl": f"{emu.api_base}/2010-04-01/Accounts/{emu.account_sid}"
                                    f"/Recordings/{rec.sid}/Transcriptions/{tr_sid}",
                "TranscriptionType": "fast",
                "RecordingSid": rec.sid, "RecordingUrl": emu.recording_url(rec.sid),
            }
            # Twilio always POSTs the transcription callback.
            sends.append((3.0, transcribe_url, "POST", params, "transcription"))
    chaos = emu.callback_chaos
    if chaos.get("out_of_order"):
        # The same callbacks, but each arrives when the other would have.
        delays = [s[0] for s in sends][::-1]
        sends = [(d, *s[1:]) for d, s in zip(delays, sends, strict=True)]
    for delay, url, method, params, purpose in sends:
        copies = 2 if chaos.get("duplicate") else 1
        for i in range(copies):
            notify(emu, call.sid, url, method, params, purpose, delay=delay + i * 0.5)
