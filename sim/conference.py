"""Conferences: joining, waiting, hold, mute, coaching, announcements, and their callbacks.

Who hears whom is recomputed after every change and written into each participant's
transcript, so "the customer never heard the coach" is a plain assertion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim import calls
from sim.clock import rfc2822
from sim.delivery import request
from sim.scheduler import HungUp, Redirected, Sleep, Stopped
from sim.state import Conference, Participant, new_sid
from sim.webhooks import Doc, call_params, interpret, notify

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call

DEFAULT_MUSIC = "builtin:hold-music"
_SHORT_EVENTS = {
    "start": ["conference-start"], "end": ["conference-end"], "join": ["participant-join"],
    "leave": ["participant-leave"], "mute": ["participant-mute", "participant-unmute"],
    "hold": ["participant-hold", "participant-unhold"], "modify": ["participant-modify"],
    "speaker": ["participant-speech-start", "participant-speech-stop"],
    "announcement": ["announcement-end", "announcement-fail"],
}


@dataclass
class JoinOptions:
    """How a call joins: from `<Conference>` attributes or a REST Participants.create."""

    muted: bool = False
    beep: str = "true"
    start_on_enter: bool = True
    end_on_exit: bool = False
    wait_url: str | None = None
    wait_method: str = "POST"
    max_participants: int = 250
    coach: str | None = None
    label: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: set[str] = field(default_factory=lambda: expand_events("start end"))


def expand_events(value: str | list[str] | None) -> set[str]:
    words: list[str] = []
    for item in value if isinstance(value, list) else [value or ""]:
        words += item.replace(",", " ").split()
    out: set[str] = set()
    for word in words:
        out.update(_SHORT_EVENTS.get(word, [word]))
    return out


def get_or_create(emu: Emulator, name: str) -> Conference:
    conf = emu.store.live_conference(name)
    if conf is None or conf.status == "completed":
        conf = Conference(new_sid("CF"), emu.account_sid, name, emu.clock.now())
        emu.store.conferences[conf.sid] = conf
        emu.log("conference_created", conference_sid=conf.sid, friendly_name=name)
    return conf


def name_of(emu: Emulator, call_sid: str) -> str:
    call = emu.store.calls.get(call_sid)
    if call is None:
        return call_sid
    if call.party is not None:
        return call.party.address
    return call.to if call.direction != "inbound" else call.from_


# -- callbacks ----------------------------------------------------------------------------


def emit(emu: Emulator, conf: Conference, event: str, p: Participant | None = None,
         **extra: str) -> None:
    conf.sequence += 1
    params = {
        "AccountSid": emu.account_sid, "ConferenceSid": conf.sid,
        "FriendlyName": conf.friendly_name, "StatusCallbackEvent": event,
        "SequenceNumber": str(conf.sequence), "Timestamp": rfc2822(emu.clock.now()),
    }
    if p is not None:
        params.update({
            "CallSid": p.call_sid, "Muted": _bool(p.muted), "Hold": _bool(p.hold),
            "Coaching": _bool(p.coaching), "EndConferenceOnExit": _bool(p.end_conference_on_exit),
            "StartConferenceOnEnter": _bool(p.start_conference_on_enter),
        })
        if p.label:
            params["ParticipantLabel"] = p.label
        if p.coaching and p.call_sid_to_coach:
            params["CallSidToCoach"] = p.call_sid_to_coach
    params.update(extra)
    emu.log("conference_event", conference_sid=conf.sid, event=event, params=params)
    if conf.status_callback and event in conf.status_callback_events:
        notify(emu, p.call_sid if p else None, conf.status_callback, conf.status_callback_method,
               params, f"conference:{event}")


def _bool(v: bool) -> str:
    return "true" if v else "false"


# -- who hears whom -----------------------------------------------------------------------


def audible_to(conf: Conference, listener: Participant) -> list[Participant]:
    if conf.status != "in-progress" or listener.hold:
        return []
    return [
        q for q in conf.connected()
        if q.call_sid != listener.call_sid and not q.hold and not q.muted
        and (not q.coaching or q.call_sid_to_coach == listener.call_sid)
    ]


def refresh(emu: Emulator, conf: Conference) -> None:
    """Log, for each participant, a change in what it hears."""
    for p in conf.connected():
        hears = tuple(sorted(name_of(emu, q.call_sid) for q in audible_to(conf, p)))
        state = (hears, p.hold, conf.status != "in-progress")
        if state == p.hearing:
            continue
        p.hearing = state
        call = emu.store.calls[p.call_sid]
        emu.hear(call, "conference", source="conference", detail={
            "conference": conf.friendly_name, "conference_sid": conf.sid,
            "hears": list(hears), "hold": p.hold, "waiting": conf.status != "in-progress",
        })


def relay_speech(emu: Emulator, call: Call, text: str) -> bool:
    """A participant talks: everyone who can hear them hears the words."""
    conf = emu.store.conferences.get(call.conference_sid or "")
    if conf is None or call.sid not in conf.participants:
        return False
    speaker = conf.participants[call.sid]
    for p in conf.connected():
        if p.call_sid != call.sid and speaker in audible_to(conf, p):
            emu.hear(emu.store.calls[p.call_sid], "speech", text=text, source="conference",
                     detail={"from": name_of(emu, call.sid)})
    return True


def _beep(emu: Emulator, conf: Conference, who: Participant, entering: bool) -> None:
    wanted = {"true", "onenter" if entering else "onexit"}
    if who.beep.lower() not in wanted:
        return
    for p in conf.connected():
        if p.call_sid != who.call_sid and not p.hold:
            emu.hear(emu.store.calls[p.call_sid], "beep", source="conference",
                     detail={"conference": conf.friendly_name})


# -- music (wait and hold) ----------------------------------------------------------------


def music(emu: Emulator, call: Call, url: str | None, method: str, source: str,
          extra: Any = None, on_leave: Any = None) -> Any:
    """Play the TwiML at `url` to the call, fetching it again each time it runs out.

    `url` None is Twilio's default music; an empty string is silence.
    """
    from sim.verbs import sound

    if url == "":
        emu.hear(call, "silence", source=source, text="no music")
        return
    while True:
        started = emu.sched.now()
        if url is None or url.startswith(DEFAULT_MUSIC) or "twimlets.com/holdmusic" in url:
            seconds = emu.play_seconds(DEFAULT_MUSIC)
            emu.hear(call, "play", url=DEFAULT_MUSIC, duration=seconds, source=source)
            yield Sleep(seconds)
            continue
        params = {**call_params(emu, call), **(extra() if extra else {})}
        resp = yield from request(emu, method, url, params, call.sid, source)
        doc, code, why = interpret(resp, url)
        if doc is None:
            emu.log("webhook_error", call_sid=call.sid, url=url, code=code, reason=why,
                    purpose=source)
            emu.hear(call, "silence", source=source, text="music failed")
            return
        next_url = url
        for verb in doc.verbs:
            if verb.name in ("Say", "Play", "Pause"):
                yield from sound(emu, call, verb, doc, source=source)
            elif verb.name == "Redirect":
                next_url = doc.resolve(verb.text) or url
                method = verb.get("method", "POST") or "POST"
                break
            elif verb.name == "Leave" and on_leave is not None:
                on_leave()
                return
            elif verb.name == "Hangup":
                emu.sched.interrupt(call.proc, HungUp("app"))
                return
            else:
                emu.log("ignored_verb", call_sid=call.sid, verb=verb.name, purpose=source)
        url = next_url
        if emu.sched.now() == started:
            yield Sleep(1)  # an empty document would otherwise be re-fetched in a tight loop


def start_music(emu: Emulator, call: Call, kind: str, url: str | None, method: str,
                **kw: Any) -> None:
    stop_music(emu, call, kind)
    emu.players[(call.sid, kind)] = emu.sched.spawn(
        music(emu, call, url, method or "POST", kind, **kw), f"{kind}:{call.sid}")


def stop_music(emu: Emulator, call: Call, kind: str) -> None:
    proc = emu.players.pop((call.sid, kind), None)
    if proc is not None:
        emu.sched.interrupt(proc, Stopped())


# -- joining and leaving ------------------------------------------------------------------


def join(emu: Emulator, call: Call, conf: Conference, opts: JoinOptions) -> Any:
    """The call is in the conference until it leaves; returns `completed`, or `failed` if
    the room is full. Hangups and redirects pass through after the participant leaves."""
    if len(conf.connected()) >= min(conf.max_participants, opts.max_participants):
        emu.log("conference_full", call_sid=call.sid, conference_sid=conf.sid)
        return "failed"
    first = not conf.connected() and conf.sequence == 0
    if first:
        # The first participant's settings decide the conference's callbacks.
        conf.status_callback = opts.status_callback
        conf.status_callback_method = opts.status_callback_method
        conf.status_callback_events = set(opts.status_callback_events)
        conf.max_participants = opts.max_participants
    p = conf.participants.get(call.sid) or Participant(call.sid, conf.sid, emu.clock.now())
    p.label = opts.label or p.label
    p.muted, p.beep = opts.muted, opts.beep
    p.start_conference_on_enter, p.end_conference_on_exit = opts.start_on_enter, opts.end_on_exit
    p.wait_url, p.wait_method = opts.wait_url, opts.wait_method
    if opts.coach:
        p.coaching, p.call_sid_to_coach = True, opts.coach
    p.status = "connected"
    conf.participants[call.sid] = p
    call.conference_sid = conf.sid
    call.activity = "conference"
    emu.log("participant_joined", conference_sid=conf.sid, call_sid=call.sid, label=p.label)
    emit(emu, conf, "participant-join", p)
    _beep(emu, conf, p, entering=True)
    maybe_start(emu, conf)
    if conf.status != "in-progress":
        start_music(emu, call, "wait", p.wait_url, p.wait_method)
    refresh(emu, conf)
    reason = "participant_hung_up"
    try:
        sig = yield Sleep(None, frozenset({"conf-leave"}))
        reason = sig.value
    except HungUp:
        raise
    except Redirected:
        reason = "participant_updated_via_api"
        raise
    finally:
        leave(emu, conf, call.sid, reason)
    return "completed"


def maybe_start(emu: Emulator, conf: Conference) -> None:
    """A conference starts once two are in it and one of them may start it."""
    present = conf.connected()
    if conf.status == "in-progress" or len(present) < 2:
        return
    if not any(p.start_conference_on_enter for p in present):
        return
    conf.status = "in-progress"
    conf.updated = emu.clock.now()
    emit(emu, conf, "conference-start")
    for p in present:
        stop_music(emu, emu.store.calls[p.call_sid], "wait")


def leave(emu: Emulator, conf: Conference, call_sid: str, reason: str) -> None:
    p = conf.participants.pop(call_sid, None)
    call = emu.store.calls.get(call_sid)
    if call is not None:
        stop_music(emu, call, "wait")
        stop_music(emu, call, "hold")
        call.conference_sid = None if call.conference_sid == conf.sid else call.conference_sid
        if call.activity == "conference":
            call.activity = "twiml"
    if p is None or p.status != "connected":
        return
    p.status = "complete"
    emu.log("participant_left", conference_sid=conf.sid, call_sid=call_sid, reason=reason)
    emit(emu, conf, "participant-leave", p, ReasonParticipantLeft=reason)
    if conf.status == "completed":
        return
    _beep(emu, conf, p, entering=False)
    if p.end_conference_on_exit:
        end(emu, conf, "participant-with-end-conference-on-exit-left", call_sid)
    elif not conf.connected():
        end(emu, conf, "last-participant-left", call_sid)
    else:
        refresh(emu, conf)


def end(emu: Emulator, conf: Conference, reason: str, ending_call_sid: str | None = None) -> None:
    """Everyone still in the room leaves; ringing participants are cancelled."""
    if conf.status == "completed":
        return
    conf.status = "completed"
    conf.updated = emu.clock.now()
    conf.reason_ended = reason
    conf.call_sid_ending = ending_call_sid
    leave_reason = ("conference_ended_via_api" if reason == "conference-ended-via-api"
                    else "moderator_ended_conference")
    for p in list(conf.participants.values()):
        call = emu.store.calls[p.call_sid]
        if p.status == "connected":
            emu.sched.signal(call.proc, "conf-leave", leave_reason)
        else:
            conf.participants.pop(p.call_sid, None)
            emu.sched.interrupt(call.proc, HungUp("system"))
    extra = {"ReasonConferenceEnded": reason}
    if ending_call_sid:
        extra["CallSidEndingConference"] = ending_call_sid
    emu.log("conference_ended", conference_sid=conf.sid, reason=reason)
    # conference-end comes after the participants' leave events, as on Twilio.
    emu.sched.post(lambda: emit(emu, conf, "conference-end", **extra))


# -- REST-driven changes ------------------------------------------------------------------


def set_hold(emu: Emulator, conf: Conference, p: Participant, hold: bool,
             url: str | None = None, method: str = "POST") -> None:
    if p.hold == hold:
        return
    p.hold = hold
    call = emu.store.calls[p.call_sid]
    if hold:
        p.hold_url, p.hold_method = url, method
        start_music(emu, call, "hold", url, method)
    else:
        stop_music(emu, call, "hold")
    emit(emu, conf, "participant-hold" if hold else "participant-unhold", p)
    refresh(emu, conf)


def set_muted(emu: Emulator, conf: Conference, p: Participant, muted: bool) -> None:
    if p.muted == muted:
        return
    p.muted = muted
    emit(emu, conf, "participant-mute" if muted else "participant-unmute", p)
    refresh(emu, conf)


def modify(emu: Emulator, conf: Conference, p: Participant, **changes: Any) -> None:
    changed = False
    for key, value in changes.items():
        if value is not None and getattr(p, key) != value:
            setattr(p, key, value)
            changed = True
    if changed:
        emit(emu, conf, "participant-modify", p)
        refresh(emu, conf)


def announce(emu: Emulator, conf: Conference, url: str, method: str = "POST",
             to_call_sid: str | None = None) -> None:
    """Play the TwiML at `url` to the room (or one participant), then `announcement-end`."""
    from sim.verbs import loops

    def gen() -> Any:
        params = {"AccountSid": emu.account_sid, "ConferenceSid": conf.sid,
                  "FriendlyName": conf.friendly_name}
        if to_call_sid:
            params["CallSid"] = to_call_sid
        resp = yield from request(emu, method, url, params, to_call_sid, "announcement")
        doc, code, why = interpret(resp, url)
        if doc is None:
            emu.log("webhook_error", call_sid=to_call_sid, url=url, code=code, reason=why,
                    purpose="announcement")
            emit(emu, conf, "announcement-fail")
            return
        for verb in doc.verbs:
            if verb.name not in ("Say", "Play", "Pause"):
                continue
            for _ in range(loops(verb) if verb.name != "Pause" else 1):
                seconds = _sound_seconds(emu, verb, doc)
                for p in conf.connected():
                    if to_call_sid and p.call_sid != to_call_sid:
                        continue
                    emu.hear(emu.store.calls[p.call_sid], _kind(verb), source="announcement",
                             text=verb.text if verb.name == "Say" else None,
                             url=doc.resolve(verb.text) if verb.name == "Play" else None,
                             voice=verb.get("voice", "man") if verb.name == "Say" else None,
                             language=verb.get("language", "en-US")
                             if verb.name == "Say" else None, duration=seconds)
                yield Sleep(seconds)
        emit(emu, conf, "announcement-end")

    emu.sched.spawn(gen(), f"announce:{conf.sid}")


def _kind(verb: Any) -> str:
    return {"Say": "say", "Play": "play", "Pause": "silence"}[verb.name]


def _sound_seconds(emu: Emulator, verb: Any, doc: Doc) -> float:
    if verb.name == "Say":
        return emu.say_seconds(verb.text)
    if verb.name == "Play":
        return emu.play_seconds(doc.resolve(verb.text) or "")
    return verb.number("length", 1)


def participant_call(emu: Emulator, call: Call, conf: Conference, opts: JoinOptions) -> Any:
    """A participant added over REST: ring the `To` party; when it answers it joins."""

    def after_answer() -> Any:
        if conf.status == "completed":
            return
        yield from join(emu, call, conf, opts)

    try:
        yield from calls.outbound(emu, call, after_answer)
    finally:
        p = conf.participants.get(call.sid)
        if p is not None and p.status != "connected":
            conf.participants.pop(call.sid, None)
            emu.log("participant_failed", conference_sid=conf.sid, call_sid=call.sid,
                    status=call.status)
            if not conf.participants and conf.status == "init" and not conf.connected():
                conf.status = "completed"
                conf.reason_ended = "participant-add-failed"
