"""Waiting callers: joining the queue, the hold loop, routing to agents, leaving.

`QueueService` takes its store, Twilio gateway, phrasebook, settings and clock as arguments;
`app.queue.queue_services().service` is the current app's (built in app/queue/factory.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

from app.queue import twiml
from app.queue.governor import CpsGovernor, Slot
from app.queue.holdclock import retry_member, ring_member, step_member, wrapup_member
from app.queue.ladder import Step, ladder_for
from app.queue.livecall import LiveCall
from app.queue.store import QueueStore
from app.queue.twiml import Voice
from app.telephony import VoiceResponse

log = logging.getLogger(__name__)

VIP_PRIORITY = 5
# After Twilio refuses to ring an agent for a caller, that caller is not offered again for
# this long (doubling with each refusal, up to the cap): the router moves on to the next
# caller instead of ringing agent after agent into the same failure.
RING_RETRY_SECONDS = 2.0
RING_RETRY_MAX_SECONDS = 10.0
# An agent's ring for a waiting caller ends at least this long before the hold limit, so the
# offer (put off while the phone rings) still comes before it.
RING_MARGIN = 3
MIN_RING = 5  # shorter than this, an agent could hardly pick up
# Twilio normally ends an unanswered ring itself (its status callback says so); the app's own
# end of the ring comes this much later, unless the caller's hold budget cannot wait.
RING_GRACE = 2
# An agent's Accept moves their line into the caller's room (a REST update and its retries,
# app/queue/agentline.py) holding the offer's lock; the offer's end waits for it, and the
# lock lapses after this long if the process holding it died.
ACCEPT_GRACE = 12.0


class Phrasebook(Protocol):
    def text(self, key: str, language: str, **values: Any) -> str: ...

    def voice(self, language: str) -> Voice: ...


class Gateway(Protocol):
    def add_agent_to_conference(self, conference: str, *, identity: str, caller_id: str,
                                timeout: int, status_callback: str) -> str: ...

    def redirect_call(self, call_sid: str, url: str) -> None: ...

    def hang_up(self, call_sid: str) -> None: ...

    def fetch_call_status(self, call_sid: str) -> str: ...


class Events(Protocol):
    """Where floor events go (the interaction timeline, the supervisors' stream)."""

    def call_event(self, call_sid: str, kind: str, **detail: Any) -> None: ...

    def agent_event(self, identity: str, kind: str, **detail: Any) -> None: ...

    def supervisor_alert(self, kind: str, **detail: Any) -> None: ...


# An offer-menu choice another package handles: (call SID, call hash) -> the caller's TwiML.
OfferHandler = Callable[[str, dict[str, str]], VoiceResponse]


# (agent identity, callback id, status_callback=..., timeout=...) -> the agent leg's call SID.
StartCallback = Callable[..., str]

# Why an agent whose line could not take an offer was put away (AgentLines.reconnecting
# makes them available again when the line is back).
LINE_NOT_READY = "line not ready"
# Why an agent placing a call of their own (a worklist callback) is away meanwhile.
CALLING_OUT = "calling out"

# A requested callback taken on an agent's persistent line: (agent identity, callback id,
# the line's call SID, the URL that sends the line home when the call is over). Redirects
# the line to call the customer (a `<Dial>` in TwiML: no call created over the API).
CallbackOnLine = Callable[[str, int, str, str], None]

# A caller's agent was lost mid-call (their line dropped): (call SID) -> the TwiML that puts
# the caller back in line, or None if it cannot (call controls).
AgentLost = Callable[[str], VoiceResponse | None]

# What a caller still on the line hears when their agent hangs up (the wrap-up package's
# survey): (call SID, call hash) -> TwiML, or None for the plain goodbye.
AfterCall = Callable[[str, dict[str, str]], VoiceResponse | None]

# A caller hung up before any agent answered (voicemail's missed-call callback): (the call
# as it was just before the hang-up, seconds waited in line). Run once per call, after the
# queue has let them go; a hook that fails is logged and never fails the queue.
AbandonHook = Callable[[LiveCall, float], None]
# An agent answered a caller (voicemail closes the number's missed calls): (the call).
AnswerHook = Callable[[LiveCall], None]


@dataclass(frozen=True)
class QueueSettings:
    public_base_url: str
    hold_music_url: str
    ring_timeout: int  # RING_TIMEOUT_SECONDS and WRAP_UP_SECONDS: config.settings
    wrap_up_seconds: int
    hold_limit: float = 60.0
    caller_id: str = ""


@dataclass(frozen=True)
class Caller:
    call_sid: str
    department: str
    department_name: str
    language: str
    number: str
    interaction_id: int | None
    customer_id: int | None
    vip: bool
    ladder_settings: dict[str, Any]


class QueueService:
    def __init__(self, store: QueueStore, gateway: Gateway, phrases: Phrasebook,
                 events: Events, settings: QueueSettings, now: Callable[[], float],
                 offer_handlers: dict[str, OfferHandler] | None = None,
                 screen_pop: Callable[[str], dict[str, Any] | None] | None = None,
                 start_callback: StartCallback | None = None,
                 after_call: AfterCall | None = None,
                 governor: CpsGovernor | None = None,
                 abandon_hooks: list[AbandonHook] | None = None,
                 answer_hooks: list[AnswerHook] | None = None,
                 line_ready: Callable[[str], bool] | None = None,
                 line_held: Callable[[str], bool] | None = None,
                 callback_on_line: CallbackOnLine | None = None,
                 agent_lost: AgentLost | None = None) -> None:
        self.store = store
        self.gateway = gateway
        self.phrases = phrases
        self.events = events
        self.settings = settings
        self.now = now
        # Offer-menu keys other packages handle (voicemail: "2" message, "3" callback).
        self.offer_handlers = offer_handlers or {}
        self.screen_pop = screen_pop or (lambda call_sid: None)
        # Rings an agent for a requested callback (the voicemail package's dialer).
        self.start_callback = start_callback
        self.after_call = after_call
        # The account's calls-per-second budget; without one, every create starts at once.
        self.governor = governor
        self.abandon_hooks = abandon_hooks or []
        self.answer_hooks = answer_hooks or []
        # Does this agent hold an idle persistent line (app/queue/agentline.py)? Then the
        # offer goes to their console and no call is created.
        self.line_ready = line_ready or (lambda agent: False)
        # Does this agent's console hold a line that is up, ready or not? Their browser then
        # ignores any ring (the Voice SDK, busy with the line), so none is placed.
        self.line_held = line_held or (lambda agent: False)
        # Sends home the agents' lines still in a caller's room when the caller hangs up
        # (AgentLines.caller_gone, set by the factory: the lines are built on this service).
        self.caller_gone: Callable[[str], None] = lambda call_sid: None
        # Takes a requested callback on the agent's line (voicemail); without it, a callback
        # rings the agent over the API.
        self.callback_on_line = callback_on_line
        # Did the caller's agent go by a line that dropped (AgentLines.lost_agent, set by the
        # factory)? Then `agent_lost` (call controls) puts them back in line rather than
        # saying goodbye.
        self.line_lost: Callable[[str], bool] = lambda call_sid: False
        self.agent_lost = agent_lost

    def url(self, path: str) -> str:
        """Absolute URLs everywhere: REST redirects need them, and TwiML is clearer with them."""
        return self.settings.public_base_url + path

    # -- joining and waiting --------------------------------------------------------------

    def join(self, caller: Caller) -> VoiceResponse:
        """Put the caller in line, start their hold clock, and answer the conference TwiML."""
        now = self.now()
        steps = ladder_for(caller.ladder_settings)
        added = self.store.enqueue(
            caller.call_sid,
            caller.department,
            priority=VIP_PRIORITY if caller.vip else 0,
            since=now,
            language=caller.language,
            number=caller.number,
            department_name=caller.department_name,
            interaction_id=caller.interaction_id,
            customer_id=caller.customer_id,
            ladder=json.dumps([{"at": s.at, "action": s.action, **s.params} for s in steps]),
            announce="0",
            best_position="",
        )
        if added:
            self._start_clock(caller.call_sid, 1, steps, now)
            self.events.call_event(caller.call_sid, "queued", department=caller.department)
        voice = self.phrases.voice(caller.language)
        overflow = [d for s in steps if s.action == "widen" for d in s.params["departments"]]
        if not self.store.signed_in_agents([caller.department, *overflow]):
            # Nobody could answer however long they wait: say so and offer the way out now,
            # keeping their place in case someone signs in.
            self.events.call_event(caller.call_sid, "no_agents", department=caller.department)
            if self.store.park(caller.call_sid):
                return self._offer_twiml(
                    caller.call_sid,
                    self.phrases.text("queue.no_agents", caller.language,
                                      department=caller.department_name),
                )
        intro = self.phrases.text("handoff.connecting", caller.language,
                                  department=caller.department_name)
        return self._conference_twiml(caller.call_sid, intro, voice)

    def rejoin(self, call_sid: str, intro: str | None) -> VoiceResponse:
        """The caller's conference again, after a transfer took them out of it to wait anew."""
        language = self.store.call(call_sid).get("language", "en")
        return self._conference_twiml(call_sid, intro, self.phrases.voice(language))

    def _conference_twiml(self, call_sid: str, intro: str | None, voice: Voice) -> VoiceResponse:
        return twiml.wait_in_conference(
            call_sid,
            wait_url=self.url(f"/queue/wait?call={call_sid}"),
            events_url=self.url(f"/queue/conference-events?call={call_sid}"),
            after_url=self.url(f"/queue/after?call={call_sid}"),
            intro=intro,
            voice=voice,
        )

    def _start_clock(self, call_sid: str, generation: int, steps: list[Step], since: float) -> None:
        self.store.schedule(
            {step_member(call_sid, generation, i): since + s.at for i, s in enumerate(steps)}
        )

    def hold_loop(self, call_sid: str) -> VoiceResponse:
        """One turn of the wait URL: apology with reason and position, music, again."""
        try:
            return self._hold_loop(call_sid)
        except RedisError as exc:
            # Redis is down (docs/faults.md): the caller's place is kept there, and they keep
            # it by staying in the room. Music and round again, without the announcement (its
            # position and language live in Redis). The safe fallback would ask them for a
            # message that a wait URL cannot record.
            log.warning("hold loop of call %s without Redis: music only (%s)", call_sid, exc)
            return twiml.hold_loop(
                announcement=None,
                music_url=self.settings.hold_music_url,
                again_url=self.url(f"/queue/wait?call={call_sid}"),
                voice=self.phrases.voice("en"),
            )

    def _hold_loop(self, call_sid: str) -> VoiceResponse:
        call = self.store.call(call_sid)
        language = call.get("language", "en")
        voice = self.phrases.voice(language)
        announcement = None
        if (call.get("state") == "waiting" and call.get("announce") == "1"
                and not self._agent_free_for(call_sid)):
            position = self._announced_position(call_sid, call)
            if position is not None:
                announcement = self.phrases.text("queue.apology_position", language,
                                                 position=position)
        return twiml.hold_loop(
            announcement=announcement,
            music_url=self.settings.hold_music_url,
            again_url=self.url(f"/queue/wait?call={call_sid}"),
            voice=voice,
        )

    def _agent_free_for(self, call_sid: str) -> bool:
        """Is an agent free who could take this caller (their queues, their language)? Then
        the apology ("all of our agents are helping other customers") would be untrue: the
        ring waits only for the news that the caller is in the room, which Twilio may deliver
        after this wait URL request."""
        call = self.store.live(call_sid)
        if call is None:
            return False
        return bool(self.store.agents_for(list(call.queues), call.language, call.any_language))

    def _announced_position(self, call_sid: str, call: dict[str, str]) -> int | None:
        """The position to tell the caller: never worse than one they were told before.

        A caller overtaken by a VIP would otherwise hear their number go up, which sounds
        like being pushed back; they are told the best number they have heard instead.
        """
        position = self.store.position(call_sid)
        if position is None:
            return None
        best = call.get("best_position") or ""
        if best.isdigit() and int(best) < position:
            return int(best)
        self.store.set_call_fields(call_sid, best_position=position)
        return position

    def caller_in_room(self, call_sid: str, room: str) -> None:
        """The caller joined their conference (`room`, its SID): agents are rung into that
        room by SID from now on, so a ring that starts after the caller has gone meets a
        completed room and fails, instead of making a new empty one of the same name."""
        if room and self._known(call_sid):
            self.store.set_call_fields(call_sid, room=room)
        self.route(self.queues_of(call_sid))

    def caller_out_of_room(self, call_sid: str, room: str = "") -> None:
        """Out of the room (the offer menu, a transfer, a hang-up): the next one is new.
        `room`: the SID of the room left; the news of leaving an old room may come after
        the news of joining the new one (Twilio orders neither), which it must not undo."""
        if not self._known(call_sid):
            return
        if room and self.store.call(call_sid).get("room", "") not in ("", room):
            return
        self.store.set_call_fields(call_sid, room="")

    def _known(self, call_sid: str) -> bool:
        """A caller the queue has (an event about any other call must not create one)."""
        return bool(self.store.redis.exists(self.store.keys.call(call_sid)))

    # -- routing --------------------------------------------------------------------------

    def route(self, departments: list[str]) -> int:
        """Offer waiting callers to free agents of these departments until no pair is left."""
        offered = 0
        while (match := self.store.match(departments, self.now())) is not None:
            self._ring(match.call_sid, match.agent)
            offered += 1
        return offered

    def ring(self, call_sid: str, agent: str) -> None:
        """Ring an agent already reserved for this caller (a transfer straight to them)."""
        self._ring(call_sid, agent)

    def _ring(self, call_sid: str, agent: str) -> None:
        call = self.store.call(call_sid)
        waited = self.now() - float(call.get("since", self.now()))
        callback = self.url(f"/queue/agent-leg?call={call_sid}&agent={agent}")
        is_callback = call.get("kind") == "callback"
        if self.line_ready(agent) and (not is_callback or self.callback_on_line is not None):
            self._offer_on_line(call_sid, call, agent, waited)
            return
        if self.line_held(agent):
            self._line_not_ready(call_sid, agent)
            return
        must_end: float | None = None  # seconds from now the ring must be over by
        slot_wait = 0.0  # seconds until the CPS budget lets the ring start
        try:
            if is_callback and self.start_callback:
                # Nobody is on hold: the agent is called first, then the customer.
                slot_wait = self._slot(call_sid, None).wait(self.now())
                timeout = self.settings.ring_timeout
                leg = self.start_callback(agent, int(call["callback_id"]),
                                          status_callback=callback, timeout=timeout)
            else:
                # The ring must end early enough for the offer to still come before the limit
                # (RING_MARGIN before it); the app ends it itself then (ring_expired), as
                # Twilio's shortest ring (its least Timeout plus its buffer) can be longer.
                budget = int(self.settings.hold_limit - RING_MARGIN - self._on_clock(call))
                # A ring must start with MIN_RING of the budget left; a later CPS slot is
                # not booked (nor any, for a caller with less left), and the caller gets the
                # offer instead (_ring_too_late).
                slot = self._slot(call_sid, self.now() + budget - MIN_RING)
                if not slot.granted:
                    self._ring_too_late(call_sid, call, agent, slot)
                    return
                slot_wait = slot.wait(self.now())
                timeout = max(MIN_RING, min(self.settings.ring_timeout,
                                            int(budget - slot_wait)))
                must_end = max(timeout, budget)
                leg = self.gateway.add_agent_to_conference(
                    call.get("room") or call_sid,
                    identity=agent,
                    caller_id=call.get("number") or self.settings.caller_id,
                    timeout=timeout,
                    status_callback=callback,
                )
        except Exception as exc:
            log.error("could not ring agent %s for call %s: %s", agent, call_sid, exc)
            self._ring_refused(call_sid, call, agent)
            return
        self.store.set_call_fields(call_sid, agent_leg=leg)
        if self.store.call(call_sid).get("state") == "ended":
            # The caller hung up while the agent was being rung (Twilio then makes a new,
            # empty room for the agent): stop the ring. caller_left reads the leg after its
            # hang-up, so one of the two always sees it.
            self._cancel_leg(leg, agent)
            return
        # When the ring is over by the app's count, whatever Twilio's: Twilio rings a little
        # past the Timeout it is asked for. A create waits in Twilio's queue for the account's
        # calls per second first (`queue_seconds`); a caller on hold never waits past their
        # budget for it.
        queued = max(slot_wait, float(getattr(leg, "queue_seconds", 0.0) or 0.0))
        ends = self.now() + queued + timeout + RING_GRACE
        if must_end is not None:
            ends = min(ends, self.now() + must_end)
        self.store.schedule({ring_member(call_sid, agent): ends})
        self._announce_offer(call_sid, call, agent, waited)

    def _offer_on_line(self, call_sid: str, call: dict[str, str], agent: str,
                       waited: float) -> None:
        """The agent holds a persistent line: their console rings (Accept/Reject) and nothing
        is created at Twilio, so no CPS slot. The offer lasts the ring timeout, and ends
        early enough for the caller's offer to come first (RING_MARGIN before the limit);
        its end is the hold clock's ring deadline, as for a ring (ring_expired)."""
        budget = self.settings.hold_limit - RING_MARGIN - self._on_clock(call)
        seconds = max(MIN_RING, min(self.settings.ring_timeout, int(budget)))
        self.store.set_call_fields(call_sid, agent_leg="")  # no leg rings: ring_expired
        self.store.schedule({ring_member(call_sid, agent): self.now() + seconds})
        self._announce_offer(call_sid, call, agent, waited, line=True, seconds=seconds)

    def calling_out(self, agent: str) -> bool:
        """The agent places a call of their own (a callback from their worklist): if they
        were available (or wrapping up) they go away ("calling out"), so no caller is
        offered to a browser busy with that call; they go available again themselves once
        they have recorded the outcome. False if they are ringing or on a call."""
        state = self.store.agent(agent).get("state", "")
        if state in ("ringing", "on_call"):
            return False
        if state in ("available", "wrap_up"):
            return self.store.set_agent_state(agent, "away", self.agent_departments(agent),
                                              self.now(), CALLING_OUT) == "away"
        return True

    def _line_not_ready(self, call_sid: str, agent: str) -> None:
        """The agent is available but their line cannot take an offer now (reconnecting, or
        in another room, as a supervisor's monitoring): no ring, which their browser would
        ignore. The caller goes back to their place for the next agent, and the agent away
        ("line not ready") until their line is back or they go available again."""
        reason = LINE_NOT_READY
        if self.store.release_offer(call_sid, agent, self.now(), agent_state="away",
                                    reason=reason):
            self.events.agent_event(agent, "unreachable", call_sid=call_sid, reason=reason)
            self.route(self.queues_of(call_sid))

    def _announce_offer(self, call_sid: str, call: dict[str, str], agent: str, waited: float,
                        **extra: Any) -> None:
        is_callback = call.get("kind") == "callback"
        self.events.call_event(call_sid, "offered", agent=agent,
                               callback_id=call.get("callback_id") or None)
        self.events.agent_event(agent, "callback_offer" if is_callback else "offer",
                                call_sid=call_sid, callback_id=call.get("callback_id") or None,
                                department=call.get("department", ""),
                                waited=round(waited, 1), context=self._screen_pop(call_sid),
                                **extra)

    def book_call(self, call_sid: str, purpose: str) -> float:
        """Book a slot of the CPS budget for a call another package creates over the API
        (a transfer's target, a supervisor's leg): seconds until it can start."""
        if self.governor is None:
            return 0.0
        try:
            slot = self.governor.reserve(self.now(), purpose=f"{purpose}:{call_sid}")
        except RedisError as exc:  # the budget is bookkeeping: never a reason not to call
            log.warning("no CPS slot booked for %s of %s: %s", purpose, call_sid, exc)
            return 0.0
        return slot.wait(self.now())

    def _slot(self, call_sid: str, latest: float | None) -> Slot:
        """The CPS slot this ring starts in (now without a governor)."""
        if self.governor is None:
            return Slot(at=self.now(), granted=True)
        return self.governor.reserve(self.now(), latest=latest, purpose=f"ring:{call_sid}")

    def _ring_too_late(self, call_sid: str, call: dict[str, str], agent: str,
                       slot: Slot) -> None:
        """The account's CPS budget cannot start a ring before the caller's budget runs out:
        no ring is placed (none that would land after the promise). The agent stays
        available for a caller it can reach in time; this caller keeps their place, is not
        offered again before the slot, and hears the offer now rather than at its step."""
        failures = int(call.get("ring_failures") or 0)
        # Not before the slot, and never at once: a caller with too little left for any
        # ring would be matched again in the same breath.
        retry_at = max(slot.at, self.now() + RING_RETRY_SECONDS)
        if self.store.release_offer(call_sid, agent, self.now(), agent_state="available",
                                    retry_at=retry_at, ring_failures=failures):
            self.store.schedule({retry_member(call_sid, failures): retry_at})
            self._offer_now(call_sid, call)
        log.warning("no ring for %s: the next CPS slot (in %.1f s) is past the caller's budget",
                    call_sid, slot.at - self.now())
        self.events.call_event(call_sid, "ring_held_back", agent=agent,
                               slot_in=round(slot.at - self.now(), 1))

    def _offer_now(self, call_sid: str, call: dict[str, str]) -> None:
        """Bring the caller's pending offer step forward to now (only if still pending)."""
        try:
            ladder = json.loads(call.get("ladder") or "[]")
        except ValueError:
            return
        generation = call.get("generation") or "1"
        for index, step in enumerate(ladder):
            if step.get("action") == "offer":
                self.store.redis.zadd(self.store.keys.deadlines,
                                      {step_member(call_sid, generation, index): self.now()},
                                      xx=True, lt=True)

    def _on_clock(self, call: dict[str, str]) -> float:
        """How long the caller's current hold clock has run: from joining the line, or from
        choosing to keep waiting (which starts a fresh clock but keeps `since`, their place)."""
        started = max(float(call.get("since") or 0), float(call.get("clock_since") or 0))
        return self.now() - (started or self.now())

    def _ring_refused(self, call_sid: str, call: dict[str, str], agent: str) -> None:
        """Twilio refused or failed the ring: nothing the agent did, so they stay available;
        the caller keeps their place but backs off a moment before they are offered again."""
        failures = int(call.get("ring_failures") or 0) + 1
        backoff = min(RING_RETRY_SECONDS * 2 ** (failures - 1), RING_RETRY_MAX_SECONDS)
        retry_at = self.now() + backoff
        if self.store.release_offer(call_sid, agent, self.now(), agent_state="available",
                                    retry_at=retry_at, ring_failures=failures):
            self.store.schedule({retry_member(call_sid, failures): retry_at})
        self.events.agent_event(agent, "unreachable", call_sid=call_sid, available=True)

    def _screen_pop(self, call_sid: str) -> dict[str, Any] | None:
        """Who is calling, for the agent's console; never a reason not to ring them."""
        try:
            return self.screen_pop(call_sid)
        except Exception:
            log.exception("no screen-pop for call %s", call_sid)
            return None

    def agent_answered(self, call_sid: str, agent: str, *, leg: str = "",
                       at: float | None = None) -> bool:
        """The agent picked up. `at`: when, by Twilio's `Timestamp` on the callback."""
        waited = self.store.answer(call_sid, agent, self.now())
        if waited is None:
            self._late_answer(call_sid, agent, leg, at)
            return False
        self._bump_generation(call_sid)  # the hold clock stops: the caller is being served
        self.events.call_event(call_sid, "answered", agent=agent, wait_seconds=round(waited, 1))
        self.events.agent_event(agent, "answered", call_sid=call_sid)
        self._answered(call_sid)
        return True

    def _answered(self, call_sid: str) -> None:
        if not self.answer_hooks:
            return
        call = LiveCall.from_fields(call_sid, self.store.call(call_sid))
        for hook in self.answer_hooks:
            try:
                hook(call)
            except Exception:
                log.exception("answer hook %r failed for call %s", hook, call_sid)

    def _late_answer(self, call_sid: str, agent: str, leg: str, at: float | None) -> None:
        """The answer's news came after the caller's hang-up, although the answer came first
        (the two callbacks travel separately and may arrive in either order): the caller was
        answered, and is recorded so, not as abandoned. Ordered by the events' own
        timestamps (Twilio's `Timestamp`, whole seconds): a tie stays abandoned."""
        call = self.store.call(call_sid)
        hung_up_at = call.get("hung_up_at") or ""
        if (at is None or not hung_up_at or call.get("state") != "ended"
                or call.get("agent") != agent or not leg or call.get("agent_leg") != leg
                or call.get("hung_up_state") != "offered" or call.get("late_answer")):
            return
        if at >= float(hung_up_at):
            return
        self.store.set_call_fields(call_sid, late_answer="1")
        waited = at - float(call.get("since", at))
        self.events.call_event(call_sid, "answered", agent=agent, wait_seconds=round(waited, 1),
                               late=True)
        self._answered(call_sid)

    def leg_superseded(self, call_sid: str, agent: str, leg: str) -> bool:
        """True if `leg` is an earlier ring of the agent now offered this caller on another leg
        (it outlived the app's ring timeout): its status must not end the current offer."""
        if not leg:
            return False
        call = self.store.call(call_sid)
        tracked = call.get("agent_leg") or ""
        return (call.get("state") == "offered" and call.get("agent") == agent
                and bool(tracked) and leg != tracked)

    def drop_untracked_leg(self, call_sid: str, agent: str, leg: str) -> None:
        """An agent leg answered that the app is not offering this caller on (an earlier
        ring it gave up on): hang it up, or the agent would sit in a room nobody routed them
        to. The leg the app tracks is left alone; its caller's hang-up ends it."""
        if leg and leg != self.store.call(call_sid).get("agent_leg"):
            log.warning("hanging up agent %s's untracked leg %s in call %s", agent, leg,
                        call_sid)
            self._cancel_leg(leg, agent)

    def ring_expired(self, call_sid: str, agent: str) -> None:
        """The ring's time is up and no status callback has ended it. Twilio is asked about
        the leg: answered (its callback is late), the agent has the caller; still in Twilio's
        CPS queue, the ring is taken back without blaming the agent; otherwise the phone is
        stopped (a leg answered after this would join a caller the app no longer offers them)
        and the ring counts as unanswered."""
        if not self.store.lock_offer(call_sid, "expire", ACCEPT_GRACE):
            # The agent pressed Accept and their line is being moved in: taking the offer
            # back now would end the caller's room under them when the line leaves it.
            self.store.schedule({ring_member(call_sid, agent): self.now() + 2})
            return
        try:
            self._ring_expired(call_sid, agent)
        finally:
            self.store.unlock_offer(call_sid, "expire")

    def _ring_expired(self, call_sid: str, agent: str) -> None:
        call = self.store.call(call_sid)
        if call.get("state") != "offered" or call.get("agent") != agent:
            return
        leg = call.get("agent_leg")
        status = self._leg_status(leg) if leg else None
        if status == "in-progress":
            # Answered, and the answer's news is late (callbacks travel on their own): the
            # agent is taken at their word, not hung up on.
            self.agent_answered(call_sid, agent, leg=leg or "")
            return
        if leg:
            self._cancel_leg(leg, agent)
        if status == "queued":
            # Twilio's CPS queue held the ring past its time: not the agent's doing.
            log.warning("agent %s's ring for %s never left Twilio's queue", agent, call_sid)
            self._ring_refused(call_sid, call, agent)
            return
        self.agent_missed(call_sid, agent, "no answer in time")

    def _leg_status(self, leg: str) -> str | None:
        """Twilio's status of the agent's leg (`queued`: it never rang), None if unknown."""
        try:
            return self.gateway.fetch_call_status(leg)
        except Exception as exc:  # a gateway without it, or Twilio not answering
            log.warning("could not ask Twilio about leg %s: %s", leg, exc)
            return None

    def agent_missed(self, call_sid: str, agent: str, reason: str) -> None:
        """No answer, rejected, or failed: the caller goes back in line, the agent away."""
        if self.store.release_offer(call_sid, agent, self.now(), agent_state="away",
                                    reason="missed call"):
            self.events.call_event(call_sid, "offer_missed", agent=agent, reason=reason)
            self.events.agent_event(agent, "missed", call_sid=call_sid, reason=reason)
            self.route(self.queues_of(call_sid))

    def ring_canceled(self, call_sid: str, agent: str) -> None:
        """The agent's ringing leg was cancelled, not refused: the caller's room ended (they
        hung up; Twilio may tell us so only after this) or the app stopped the ring. Nothing
        the agent did: they stay available. A caller still there backs off a moment before
        being offered again, long enough for the news of a hang-up to arrive first."""
        failures = int(self.store.call(call_sid).get("ring_failures") or 0)
        retry_at = self.now() + RING_RETRY_SECONDS
        if self.store.release_offer(call_sid, agent, self.now(), agent_state="available",
                                    reason="ring canceled", retry_at=retry_at,
                                    ring_failures=failures):
            self.store.schedule({retry_member(call_sid, failures): retry_at})
            # What caller_left says when it cancels the ring itself: nobody missed anything.
            self.events.agent_event(agent, "offer_cancelled", call_sid=call_sid)
            self.route(self.agent_departments(agent))

    def agent_left(self, call_sid: str, agent: str) -> bool:
        """The agent's leg of a connected call ended: wrap-up, then available again.

        False if the agent was not on this call (their leg ended before they answered).
        """
        state = self.store.agent(agent)
        if state.get("call") != call_sid or state.get("state") != "on_call":
            return False
        now = self.now()
        if self.store.call(call_sid).get("kind") == "callback":
            # A callback has no caller leg of its own to end its entry: the agent's does.
            self.store.hang_up(call_sid, now)
        self.store.finish_call(agent, "wrap_up", now)
        self.store.schedule({wrapup_member(agent, now): now + self.settings.wrap_up_seconds})
        self.events.agent_event(agent, "wrap_up", call_sid=call_sid)
        return True

    def caller_left(self, call_sid: str, at: float | None = None) -> None:
        """The caller hung up (or the call ended): out of every queue, offers cancelled.
        `at`: when, by Twilio's `Timestamp` on the event, if it has one.

        A requested callback stays in line after the caller's own call ends: that is the point.
        """
        call = self.store.call(call_sid)
        if call.get("kind") == "callback":
            return
        state, agent = self.store.hang_up(call_sid, self.now())
        # Whatever the news found: a line moved in as the caller hung up may be there alone.
        self.caller_gone(call_sid)
        if not state:
            return
        if state == "offered":
            # For an agent's answer whose news is still on its way (_late_answer).
            self.store.set_call_fields(call_sid, hung_up_state=state,
                                       hung_up_at=self.now() if at is None else at)
        self._bump_generation(call_sid)
        if state in ("waiting", "in_offer", "offered"):
            waited = self.now() - float(call.get("since", self.now()))
            self.events.call_event(call_sid, "abandoned", wait_seconds=round(waited, 1),
                                   state=state)
            self._abandoned(call_sid, call, waited)
        if state == "offered" and agent:
            # Read after the hang-up: a ring that started meanwhile has stored its leg by now.
            leg = self.store.call(call_sid).get("agent_leg")
            if leg:
                self._cancel_leg(leg, agent)
            self.events.agent_event(agent, "offer_cancelled", call_sid=call_sid)
            self.route(self.agent_departments(agent))

    def _abandoned(self, call_sid: str, call: dict[str, str], waited: float) -> None:
        """Tell the hooks once: `hang_up` reports the state to one caller only, however many
        times (and from however many webhooks) Twilio says the caller is gone."""
        live = LiveCall.from_fields(call_sid, call)
        for hook in self.abandon_hooks:
            try:
                hook(live, waited)
            except Exception:
                log.exception("abandon hook %r failed for call %s", hook, call_sid)

    def _cancel_leg(self, leg: str, agent: str) -> None:
        try:
            self.gateway.hang_up(leg)
        except Exception as exc:
            log.warning("could not cancel agent %s's ringing leg: %s", agent, exc)

    def queues_of(self, call_sid: str) -> list[str]:
        return [q for q in self.store.call(call_sid).get("queues", "").split(",") if q]

    def agent_departments(self, agent: str) -> list[str]:
        return [d for d in self.store.agent(agent).get("departments", "").split(",") if d]

    def _bump_generation(self, call_sid: str) -> int:
        return self.store.bump_generation(call_sid)

    # -- the offer ------------------------------------------------------------------------

    def offer_menu(self, call_sid: str) -> VoiceResponse:
        return self._offer_twiml(call_sid)

    def _offer_twiml(self, call_sid: str, preface: str | None = None) -> VoiceResponse:
        language = self.store.call(call_sid).get("language", "en")
        text = self.phrases.text("queue.offer", language)
        return twiml.offer_menu(
            text=f"{preface} {text}" if preface else text,
            action_url=self.url(f"/queue/offer-choice?call={call_sid}"),
            voice=self.phrases.voice(language),
            language=self.phrases.voice(language).language,
        )

    def keep_waiting(self, call_sid: str) -> VoiceResponse:
        """Back in line at the same place, with a fresh hold clock."""
        call = self.store.call(call_sid)
        language = call.get("language", "en")
        voice = self.phrases.voice(language)
        if not self.store.unpark(call_sid):
            return twiml.speak_and_hang_up(self.phrases.text("queue.goodbye", language), voice)
        generation = self._bump_generation(call_sid)
        steps = ladder_for({"ladder": json.loads(call.get("ladder") or "[]") or None})
        self.store.set_call_fields(call_sid, clock_since=f"{self.now():.3f}")
        self._start_clock(call_sid, generation, steps, self.now())
        self.events.call_event(call_sid, "kept_waiting")
        self.route(self.queues_of(call_sid))
        return self._conference_twiml(
            call_sid, self.phrases.text("queue.keep_waiting", language), voice
        )

    def offer_choice(self, call_sid: str, digits: str) -> VoiceResponse:
        """1 or nothing: keep waiting. 2: a message. 3: a callback, keeping their place.

        Messages and callbacks belong to the voicemail package; until it registers its
        handlers the caller is told so and keeps waiting, rather than promised a call back
        nobody would make.
        """
        choice = (digits or "1").strip()[:1]
        handler = self.offer_handlers.get(choice)
        if handler is None:
            return self.keep_waiting(call_sid)
        return handler(call_sid, self.store.call(call_sid))

    def rescue_after_drop(self, call_sid: str) -> VoiceResponse | None:
        """The caller's room ended and they are still there: if it ended because their
        agent's line dropped, not because the agent hung up, they go back to the front of
        the line (the call controls' hook) instead of hearing the survey or the goodbye."""
        if self.agent_lost is None:
            return None
        try:
            if not self.line_lost(call_sid):
                return None
            return self.agent_lost(call_sid)
        except Exception:
            log.exception("could not put call %s back in line after its agent's drop",
                          call_sid)
            return None

    def after_conference(self, call_sid: str, caller_gone: bool = False) -> VoiceResponse:
        call = self.store.call(call_sid)
        language = call.get("language", "en")
        if self.after_call is not None and not caller_gone:
            try:
                response = self.after_call(call_sid, call)
            except Exception:
                log.exception("after-call hook failed for %s; saying goodbye", call_sid)
                response = None
            if response is not None:
                return response
        return twiml.speak_and_hang_up(self.phrases.text("queue.goodbye", language),
                                       self.phrases.voice(language))
