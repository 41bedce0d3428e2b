"""The agent's persistent line: opening it, accepting and rejecting offers on it, sending it
back to the agent's own room, and what happens when it drops.

The line is one open call from the agent's browser softphone to the app, parked in their own
room. An offer rings the console (QueueService._offer_on_line); Accept moves the line into the
caller's room with a call update, which Twilio does not count against the account's calls per
second. After the call the line goes back to the agent's room; it is hung up only by the
agent's browser. docs/queue.md, "The agent's line".
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from redis.exceptions import RedisError

from app.queue import twiml
from app.queue.lines import LineBook
from app.queue.services import ACCEPT_GRACE, LINE_NOT_READY, QueueService
from app.telephony import VoiceResponse

log = logging.getLogger(__name__)

# The line's `call` while the agent has placed a call of their own on it (not a caller's room).
CALL_OUT = "out:"

# What an accept comes to.
ACCEPTED = "accepted"
GONE = "gone"  # the offer is over (the caller hung up, time ran out, another took it)
LINE_DOWN = "line_down"  # the line could not be moved: it has ended


class LineGateway(Protocol):
    def move_call(self, call_sid: str, twiml: str) -> None: ...

    def hang_up(self, call_sid: str) -> None: ...

    def call_ended(self, call_sid: str) -> bool: ...


def own_room(agent: str) -> str:
    return f"line-{agent}"


def line_label(agent: str) -> str:
    """The line's participant label in any room: the same as a ring's (gateway.agent_label),
    so call controls find the agent's leg the same way."""
    return f"agent-{agent}"


class AgentLines:
    def __init__(self, service: QueueService, book: LineBook, gateway: LineGateway) -> None:
        self.service = service
        self.book = book
        self.gateway = gateway

    @property
    def store(self):  # noqa: ANN201 (QueueStore; no import needed for one property)
        return self.service.store

    def now(self) -> float:
        return self.service.now()

    def _room_twiml(self, agent: str, call_sid: str = "") -> VoiceResponse:
        action = self.service.url(f"/queue/line?agent={agent}&call={call_sid}")
        return twiml.line_room(call_sid or own_room(agent), label=line_label(agent),
                               action_url=action)

    # -- the line opens ---------------------------------------------------------------------

    def open(self, agent: str, line_sid: str) -> VoiceResponse:
        """The agent's softphone called in to hold its line (the TwiML App's voice URL with
        `Line=open`): their room. A line opened in another tab before is replaced and hung
        up, unless it is on a call: then this one is refused and that call goes on."""
        current = self.book.get(agent)
        if current is not None and current.up and current.call and current.sid != line_sid:
            log.warning("agent %s opened a second line during a call; refused", agent)
            response = VoiceResponse()
            response.hangup()
            return response
        old = self.book.opened(agent, line_sid, self.now())
        if old:
            try:
                self.gateway.hang_up(old)
            except Exception as exc:  # it may have ended already
                log.warning("could not hang up agent %s's old line %s: %s", agent, old, exc)
        self.service.events.agent_event(agent, "line_up", line_sid=line_sid)
        return self._room_twiml(agent)

    # -- offers -----------------------------------------------------------------------------

    def accept(self, agent: str, call_sid: str) -> str:
        """The agent pressed Accept: their line is moved into the caller's room, then the
        answer is recorded (one compare-and-set: offered to this agent -> connected). If the
        offer ended while the line moved (the caller hung up), the line goes back to the
        agent's room.

        The offer's lock is held meanwhile, so the offer's end (ring_expired) cannot take
        the caller back while the line moves in: the line would join a caller now waiting
        for someone else, and end their room on leaving it."""
        if not self._offered_to(agent, call_sid):
            # Not theirs (a stale screen): answered before locking, so it can never hold the
            # lock against the agent the caller is really offered to.
            return GONE
        holder = f"accept:{agent}"
        if not self.store.lock_offer(call_sid, holder, ACCEPT_GRACE):
            return GONE  # the offer is ending right now
        try:
            return self._accept(agent, call_sid)
        finally:
            self.store.unlock_offer(call_sid, holder)

    def _offered_to(self, agent: str, call_sid: str) -> bool:
        call = self.store.call(call_sid)
        return call.get("state") == "offered" and call.get("agent") == agent

    def _accept(self, agent: str, call_sid: str) -> str:
        if not self._offered_to(agent, call_sid):  # again, under the lock
            return GONE
        line = self.book.get(agent)
        if line is None or not line.idle:
            return LINE_DOWN
        callback_id = self.store.call(call_sid).get("callback_id")
        if callback_id:
            return self._accept_callback(agent, call_sid, int(callback_id), line.sid)
        try:
            self.gateway.move_call(line.sid, str(self._room_twiml(agent, call_sid)))
        except Exception as exc:
            # Twilio refuses to update a call that has ended: the line is gone, and the news
            # of its end may still be on its way. The caller goes back in line.
            log.warning("could not move agent %s's line into call %s: %s", agent, call_sid,
                        exc)
            self.dropped(agent, line.sid, "the line could not be moved")
            return LINE_DOWN
        self.book.moved(agent, line.sid, call_sid)
        if self.gateway.call_ended(call_sid):
            # The caller hung up as the line moved and the news is still on its way: Twilio
            # starts their room afresh around the line alone. Not an answer. (One REST read,
            # which calls per second do not limit; if it fails, the hang-up's news will come.)
            self._go_home(agent, line.sid)
            self.service.caller_left(call_sid)
            return GONE
        return self._answered_on(agent, call_sid, line.sid)

    def _accept_callback(self, agent: str, call_sid: str, callback_id: int,
                         line_sid: str) -> str:
        """A requested callback accepted on the line: the line is sent to call the customer
        (voicemail's TwiML `<Dial>`s them: no call created over the API, so no CPS), and
        comes home through its `<Dial>` action's route when that call is over. Nobody is on
        hold, so there is no room to join and no hang-up to race."""
        take = self.service.callback_on_line
        if take is None:
            return GONE
        home = self.home_url(agent, call_sid)
        if not self.book.moved(agent, line_sid, call_sid):
            return LINE_DOWN
        try:
            take(agent, callback_id, line_sid, home)
        except Exception as exc:
            # Cleared or deleted meanwhile, or Twilio refused the redirect: the entry goes
            # back (voicemail's own reconcile takes a closed one out of the line).
            log.warning("agent %s could not take callback %s on their line: %s", agent,
                        callback_id, exc)
            self.book.moved(agent, line_sid, "")
            self.service.ring_canceled(call_sid, agent)
            return GONE
        return self._answered_on(agent, call_sid, line_sid)

    def _answered_on(self, agent: str, call_sid: str, line_sid: str) -> str:
        """The answer, once the line is where the call is: the same compare-and-set a ring's
        answer uses (offered to this agent -> connected). An offer that ended meanwhile
        sends the line home."""
        if not self.service.agent_answered(call_sid, agent, leg=line_sid):
            self._go_home(agent, line_sid)
            return GONE
        self.store.set_call_fields(call_sid, agent_leg=line_sid)
        return ACCEPTED

    def reject(self, agent: str, call_sid: str) -> bool:
        """The agent pressed Reject: as a ring rejected, the caller goes back in line and the
        agent away (they said they cannot take calls now)."""
        call = self.store.call(call_sid)
        if call.get("state") != "offered" or call.get("agent") != agent:
            return False
        self.service.agent_missed(call_sid, agent, "rejected")
        return True

    # -- after the call ---------------------------------------------------------------------

    def hang_up(self, agent: str, call_sid: str) -> bool:
        """The agent ends the call: their line goes back to their room (it is not hung up),
        which takes them out of the caller's room and ends it (endConferenceOnExit), so the
        caller hears the survey or a goodbye. False if the line is not in that call."""
        line = self.book.get(agent)
        if line is None or not line.up or line.call != call_sid:
            return False
        self._go_home(agent, line.sid)
        self.service.agent_left(call_sid, agent)
        return True

    def monitor(self, agent: str, call_sid: str, *, muted: bool, coach: str | None) -> str:
        """A supervisor's line moved into the caller's room to listen (`muted`), whisper
        (`coach`: the agent's leg) or barge: no call created. Returns the line's SID, or ""
        if their line is not up and idle (the caller then rings them over the API)."""
        line = self.book.get(agent)
        if line is None or not line.idle:
            return ""
        return self._move_into(agent, line.sid, call_sid, label=f"monitor-{agent}",
                               starts=False, ends=False, muted=muted, coach=coach or "")

    def join_transfer(self, agent: str, call_sid: str, label: str) -> str:
        """A warm transfer's target accepted on their console: their line joins the caller's
        room (starting it, not ending it on leaving until the transfer completes). Returns
        the line's SID, or "" if it is not up and idle or could not be moved."""
        line = self.book.get(agent)
        if line is None or not line.idle:
            return ""
        return self._move_into(agent, line.sid, call_sid, label=label, ends=False)

    def _move_into(self, agent: str, line_sid: str, call_sid: str, **room: Any) -> str:
        """Move the agent's line into the caller's room (a call update, no call created).
        Returns the line's SID, or "" when Twilio refused: the line is then treated as down."""
        action = self.service.url(f"/queue/line?agent={agent}&call={call_sid}")
        response = twiml.line_room(call_sid, action_url=action, **room)
        try:
            self.gateway.move_call(line_sid, str(response))
        except Exception as exc:
            log.warning("could not move %s's line into call %s: %s", agent, call_sid, exc)
            self.dropped(agent, line_sid, "the line could not be moved")
            return ""
        self.book.moved(agent, line_sid, call_sid)
        return line_sid

    def leave(self, agent: str, call_sid: str) -> bool:
        """The line leaves a caller's room it is in without a call of the agent's ending
        (a supervisor stops monitoring): back to the agent's room. False if it is not there."""
        line = self.book.get(agent)
        if line is None or not line.up or line.call != call_sid:
            return False
        self._go_home(agent, line.sid)
        return True

    def caller_gone(self, call_sid: str) -> None:
        """The caller hung up: every line still in their room goes home, and the call is
        over for its agent. Usually Twilio ends the room under the lines and their `<Dial>`
        actions bring them home too (whichever comes first wins; the other finds them home).
        But a line moved in just as the caller hung up joins a room Twilio starts afresh
        around it alone, which nothing else would end."""
        for agent, line in self.book.in_room(call_sid).items():
            self._go_home(agent, line.sid)
            self.service.agent_left(call_sid, agent)

    def call_out(self, agent: str, what: str) -> str:
        """The agent places a call of their own on their line (a callback from their
        worklist; `what` names it; `QueueService.calling_out` first takes them out of the
        offers): returns the line's SID, or "" if the line is not up and idle. The line
        comes home through `home_url(agent)`."""
        line = self.book.get(agent)
        if line is None or not line.idle:
            return ""
        if not self.book.moved(agent, line.sid, f"{CALL_OUT}{what}"):
            return ""
        return line.sid

    def end_call_out(self, agent: str) -> bool:
        """The agent ends the call they placed on their line: it comes home (which cuts the
        customer's leg, the line's own `<Dial>`). False if no such call is on their line."""
        line = self.book.get(agent)
        if line is None or not line.up or not line.call.startswith(CALL_OUT):
            return False
        self._go_home(agent, line.sid)
        return True

    def call_out_failed(self, agent: str, line_sid: str) -> None:
        """The call out could not start: the line, which never left, is free again."""
        self.book.moved(agent, line_sid, "")

    def home_url(self, agent: str, call_sid: str = "") -> str:
        """Where a line that was redirected elsewhere comes back to its room (its `<Dial>`
        action's route, asked with the line in progress)."""
        return self.service.url(f"/queue/line?agent={agent}&call={call_sid}")

    def lost_agent(self, call_sid: str) -> bool:
        """Did the caller's room end because their agent's line dropped (the browser went)
        rather than because the agent hung up? The app never hangs a line up: it moves it
        home, and notes so before the room ends. So the room ended under a connected call
        whose agent leg is a line is a drop if the line's end was heard already, or if the
        line, still in the caller's room by the app's record, has ended by Twilio's (a REST
        read: its own news may still be on its way; the drop is then handled now)."""
        call = self.store.call(call_sid)
        leg, agent = call.get("agent_leg", ""), call.get("agent", "")
        if call.get("state") != "connected" or call.get("kind") == "callback" or not leg:
            return False
        if call.get("agent_dropped") == leg:
            return True
        line = self.book.get(agent)
        if line is None or line.sid != leg or not line.up or line.call != call_sid:
            return False  # a ring's leg, or a line the app moved out: a hang-up
        ended = self.gateway.call_ended(leg)
        if ended:
            self.dropped(agent, leg, "your softphone's line ended")
        return ended

    def reconnecting(self, agent: str, line_sid: str, now_reconnecting: bool) -> bool:
        """The console's Voice SDK says the line is reconnecting after a network blip (Twilio
        keeps the call up to 30 s meanwhile, and tells the app nothing), or is back. While it
        reconnects the agent is not offered callers (they could not hear them): an available
        agent goes away ("line not ready"), and is available again when it is back. A call
        already on the line goes on. False if `line_sid` is not the agent's live line."""
        now = self.now()
        if not self.book.reconnecting(agent, line_sid, now if now_reconnecting else None):
            return False
        state = self.store.agent(agent)
        departments = self.service.agent_departments(agent)
        if now_reconnecting and state.get("state") == "available":
            self.store.set_agent_state(agent, "away", departments, now, LINE_NOT_READY)
        elif (not now_reconnecting and state.get("state") == "away"
              and state.get("reason") == LINE_NOT_READY):
            self.store.set_agent_state(agent, "available", departments, now)
            self.service.route(departments)
        self.service.events.agent_event(
            agent, "line_reconnecting" if now_reconnecting else "line_up", line_sid=line_sid)
        return True

    def leg_of(self, agent: str) -> str:
        """The SID of the agent's line while it is up ("" otherwise)."""
        line = self.book.get(agent)
        return line.sid if line is not None and line.up else ""

    def _go_home(self, agent: str, line_sid: str) -> None:
        try:
            self.gateway.move_call(line_sid, str(self._room_twiml(agent)))
        except Exception as exc:
            log.warning("could not move agent %s's line home: %s", agent, exc)
            self.dropped(agent, line_sid, "the line could not be moved")
            return
        self.book.moved(agent, line_sid, "")

    def dial_ended(self, agent: str, line_sid: str, call_status: str,
                   call_sid: str) -> VoiceResponse:
        """The line's `<Dial>` ended (its action URL). The line itself ended (the browser
        hung up or went away: CallStatus is not in-progress): it is down. The room ended
        under a live line (the caller hung up): the call is over for the agent, and the line
        goes back to their room."""
        if call_status != "in-progress":
            self.dropped(agent, line_sid, "your softphone's line ended")
            return VoiceResponse()
        try:
            if call_sid:
                self.service.agent_left(call_sid, agent)
            home = self.book.moved(agent, line_sid, "")
        except RedisError as exc:
            # Redis is down (docs/faults.md): the agent keeps their line, in their room; the
            # floor catches up when they next go available. The safe fallback would hang it up.
            log.warning("line of %s back home without Redis: %s", agent, exc)
            return self._room_twiml(agent)
        if not home:
            # Not the agent's line (a replaced one): it has no room to go back to.
            response = VoiceResponse()
            response.hangup()
            return response
        return self._room_twiml(agent)

    # -- a line that drops ------------------------------------------------------------------

    def dropped(self, agent: str, line_sid: str, reason: str) -> None:
        """The line ended: the agent is put away and told. An offer on it goes to the next
        agent; a call on it ends for the agent (wrap-up is skipped: they are away); they come
        back by going available, which opens a new line."""
        line = self.book.dropped(agent, line_sid, self.now())
        if line is None:
            return  # an older line, or its end was already handled
        state = self.store.agent(agent)
        call_sid = state.get("call", "")
        if state.get("state") == "ringing" and call_sid:
            self.service.agent_missed(call_sid, agent, "line dropped")
        elif state.get("state") == "on_call" and call_sid:
            if self.store.call(call_sid).get("agent_leg") == line_sid:
                # For the caller's side (lost_agent): their agent went by a drop, not a
                # hang-up, and they may be put back in line.
                self.store.set_call_fields(call_sid, agent_dropped=line_sid)
            self.service.agent_left(call_sid, agent)
        now = self.now()
        if self.store.agent(agent).get("state") in ("available", "wrap_up"):
            self.store.finish_call(agent, "away", now, "line down")
        log.warning("agent %s's line %s dropped: %s", agent, line_sid, reason)
        self.service.events.agent_event(agent, "line_down", line_sid=line_sid, reason=reason)
        self.service.events.supervisor_alert("line_down", agent=agent, reason=reason)
