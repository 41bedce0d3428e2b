"""The people a script plays: callers, PSTN numbers the app dials, and browser softphones.

Each party keeps a transcript of what it heard, so a test can assert on it directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call


@dataclass
class Heard:
    """One thing a party heard (or that happened to its line), at a time."""

    t: float
    # say, play, silence, beep, dtmf, ringing, connected, conference, speech, ignored (keys
    # pressed while no <Gather> listened), ...
    kind: str
    call_sid: str | None = None
    text: str | None = None
    voice: str | None = None
    language: str | None = None
    url: str | None = None
    duration: float | None = None
    source: str = "twiml"
    detail: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False

    def describe(self) -> str:
        """One line for people: `Say (en-US, Polly.Joanna): Thank you for calling`."""
        d = self.detail
        match self.kind:
            case "say":
                cut = " [interrupted]" if self.interrupted else ""
                return f"Say ({self.language}, {self.voice}): {self.text}{cut}"
            case "play":
                return f"Play: {self.url}" + (" [interrupted]" if self.interrupted else "")
            case "silence":
                if self.duration is None:  # open-ended: a conference's empty waitUrl
                    return "Silence" + (f" ({self.text})" if self.text else "")
                return f"Silence ({self.duration:g} s)"
            case "speech":
                return f"{d.get('from')} says: {self.text}"
            case "conference":
                who = ", ".join(d.get("hears") or []) or "nobody"
                state = " (on hold)" if d.get("hold") else (
                    " (waiting for it to start)" if d.get("waiting") else "")
                return f"In conference {d.get('conference')}{state}, hearing: {who}"
            case "connected":
                return f"Connected to {d.get('to')}"
            case "ignored":
                return (f"You pressed {self.text} while nothing was listening: not heard "
                        "(keys count only while a menu asks)")
            case _:
                return f"{self.kind.capitalize()}" + (f": {self.text}" if self.text else "")

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, False)}


class Party:
    """Someone at the far end of calls: hears, presses keys, speaks, answers, hangs up."""

    def __init__(self, emu: Emulator, address: str, *, answer_after: float | None = None,
                 policy: str = "answer") -> None:
        self._emu = emu
        self.address = address
        self.heard: list[Heard] = []
        self.call_sids: list[str] = []
        self.ringing: list[str] = []
        self.answer_after = answer_after
        self.policy = policy  # what happens when rung: answer, busy, no-answer, fail
        self.transcription_text: str | None = None
        self.online = True

    # -- what it heard -------------------------------------------------------------------

    def _entries(self, call_sid: str | None = None) -> list[Heard]:
        return [h for h in self.heard if call_sid is None or h.call_sid == call_sid]

    def heard_text(self, call_sid: str | None = None) -> str:
        """Everything spoken to this party (Say, and people talking), in order, one string."""
        kinds = ("say", "speech")
        return " ".join(h.text or "" for h in self._entries(call_sid) if h.kind in kinds)

    def says(self, call_sid: str | None = None) -> list[str]:
        return [h.text or "" for h in self._entries(call_sid) if h.kind == "say"]

    def has_heard(self, text: str, call_sid: str | None = None) -> bool:
        return text.lower() in self.heard_text(call_sid).lower()

    def transcript(self, call_sid: str | None = None) -> list[str]:
        return [f"[{_clock(h.t)}] {h.describe()}" for h in self._entries(call_sid)]

    # -- its calls -----------------------------------------------------------------------

    @property
    def call(self) -> Call | None:
        """The call this party is on now (answered, not ended), if any."""
        for sid in reversed(self.call_sids):
            call = self._emu.store.calls.get(sid)
            if call and not call.ended and call.answered_at is not None:
                return call
        return None

    def _live_sid(self, call_sid: str | None) -> str | None:
        if call_sid:
            return call_sid
        current = self.call
        if current:
            return current.sid
        return next(
            (s for s in reversed(self.call_sids) if not self._emu.store.calls[s].ended), None
        )

    def press(self, digits: str, call_sid: str | None = None) -> None:
        self._emu.party_input(self, self._live_sid(call_sid), "digits", str(digits))

    def say(self, text: str, call_sid: str | None = None, *, confidence: float = 0.9) -> None:
        """Speak: an answer to a speech `<Gather>`, a voicemail, or words to whoever listens."""
        self._emu.party_input(self, self._live_sid(call_sid), "speech", (text, confidence))

    def hangup(self, call_sid: str | None = None) -> None:
        self._emu.party_hangup(self, self._live_sid(call_sid))

    def answer(self, call_sid: str | None = None) -> None:
        self._emu.party_answer(self, call_sid or self._first_ringing(), True)

    def reject(self, call_sid: str | None = None) -> None:
        self._emu.party_answer(self, call_sid or self._first_ringing(), False)

    def _first_ringing(self) -> str:
        if not self.ringing:
            self._emu.settle()  # a REST request may have just asked for it to ring
        if not self.ringing:
            raise RuntimeError(f"{self.address} is not ringing")
        return self.ringing[0]

    @property
    def is_ringing(self) -> bool:
        return bool(self.ringing)

    def ignores_invites(self) -> bool:
        """Would an incoming call go unseen (it rings at Twilio until its timeout)?"""
        return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.address}>"


class Phone(Party):
    """A PSTN number: a caller dialling in, or a number the app dials out to."""


class Softphone(Party):
    """A browser softphone registered as `client:<identity>`."""

    def __init__(self, emu: Emulator, identity: str, **kw: Any) -> None:
        super().__init__(emu, f"client:{identity}", **kw)
        self.identity = identity
        # The Voice SDK's Device option of that name (false by default): while the device
        # has an active call, an incoming invite is ignored ("Device busy; ignoring incoming
        # invite"), so the call rings at Twilio, unseen, until its timeout.
        self.allow_incoming_while_busy = False

    @property
    def busy(self) -> bool:
        """The device has an active call: one it placed (from the moment it dials, as the
        SDK's connect() makes it the active call) or one it answered, not yet ended."""
        for sid in self.call_sids:
            call = self._emu.store.calls.get(sid)
            if call is None or call.ended or call.party is not self:
                continue
            if call.direction == "inbound" or call.answered_at is not None:
                return True
        return False

    def ignores_invites(self) -> bool:
        return not self.allow_incoming_while_busy and self.busy

    def go_online(self) -> None:
        self.online = True

    def go_offline(self) -> None:
        self.online = False

    def close_tab(self) -> None:
        """The browser tab holding this softphone closes: the Voice SDK's device is gone, so
        it is no longer registered and every call it had open ends (hung up from its side),
        as a page unload disconnects the SDK's calls. A ringing call just stops being
        answerable (Twilio ends it at its timeout)."""
        self.online = False
        for sid in list(self.call_sids):
            call = self._emu.store.calls.get(sid)
            if call is not None and not call.ended and call.answered_at is not None:
                self._emu.party_hangup(self, sid)

    def place_call(self, to: str = "", params: dict[str, str] | None = None,
                   application_sid: str | None = None) -> CallHandle:
        """An outgoing browser call: the TwiML App's voice URL gets From=client:<identity>."""
        return self._emu.place_client_call(self, to, params or {}, application_sid)

    @property
    def offered_params(self) -> dict[str, str]:
        """The `<Parameter>`s of the call ringing now (what the browser SDK would show)."""
        if not self.ringing:
            return {}
        return dict(self._emu.store.calls[self.ringing[0]].offer_params)


class CallHandle:
    """One call as its caller sees it: `call.press("1")`, `call.heard_text()`, `call.gathering`."""

    def __init__(self, emu: Emulator, party: Party, sid: str) -> None:
        self._emu = emu
        self.party = party
        self.sid = sid

    @property
    def resource(self) -> Call:
        return self._emu.store.calls[self.sid]

    @property
    def status(self) -> str:
        return self.resource.status

    @property
    def ended(self) -> bool:
        return self.resource.ended

    @property
    def activity(self) -> str:
        return self.resource.activity

    @property
    def gathering(self) -> bool:
        """A `<Gather>` is listening (its prompt may still be playing)."""
        return self.resource.activity == "gather"

    @property
    def awaiting_input(self) -> bool:
        """A `<Gather>` has finished its prompt and waits for keys or speech."""
        return self.resource.activity == "gather" and self.resource.awaiting_input

    @property
    def recording(self) -> bool:
        return self.resource.activity == "record"

    @property
    def in_conference(self) -> bool:
        return self.resource.activity == "conference"

    @property
    def in_queue(self) -> bool:
        return self.resource.activity == "queue"

    @property
    def heard(self) -> list[Heard]:
        return self.party._entries(self.sid)

    def heard_text(self) -> str:
        return self.party.heard_text(self.sid)

    def says(self) -> list[str]:
        return self.party.says(self.sid)

    def has_heard(self, text: str) -> bool:
        return self.party.has_heard(text, self.sid)

    def transcript(self) -> list[str]:
        return self.party.transcript(self.sid)

    def press(self, digits: str) -> None:
        self._emu.party_input(self.party, self.sid, "digits", str(digits))

    def say(self, text: str, *, confidence: float = 0.9) -> None:
        self._emu.party_input(self.party, self.sid, "speech", (text, confidence))

    def hangup(self) -> None:
        self._emu.party_hangup(self.party, self.sid)

    def set_transcription(self, text: str | None, *, fails: bool = False) -> None:
        """What the transcription of this call's next recording will say (or that it fails)."""
        self.resource.recording_hint = {"text": text, "fails": fails}

    def __repr__(self) -> str:
        return f"<Call {self.sid} {self.party.address} {self.status}>"


def _clock(t: float) -> str:
    minutes, seconds = divmod(t, 60)
    return f"{int(minutes):02d}:{seconds:04.1f}"
