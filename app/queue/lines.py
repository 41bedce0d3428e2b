"""Agents' persistent lines, as the floor knows them (one Redis hash per agent).

An agent in line mode keeps one call open from their browser softphone to the app (the Voice
SDK's outgoing call to the TwiML App), parked in a room of their own. Offering a caller then
needs no call creation: accepting moves that open call into the caller's room
(`Calls(sid).update(twiml=...)`), which Twilio's calls-per-second limit does not govern.
docs/queue.md, "The agent's line".

The record: `sid` (the line's call SID), `state` (`connected` or `down`), `since`, `call`
(the caller whose room the line is in; empty: the agent's own room) and `reconnecting` (when
the console's Voice SDK said the call is reconnecting after a network blip; empty once it is
back). Twilio tells the app nothing of a reconnection: only the console knows. A line that
ends only counts if it is the agent's current one: a console reopened in a second tab
replaces the first line, whose end must not put the agent away.

Each caller's room has a set of the agents whose line was moved into it (`room_lines`), so
the caller's hang-up finds the lines it must send home: a line moved in just as the caller
hung up joins a room Twilio starts afresh around it alone, which nothing else would end.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from app.queue.keys import Keys

CONNECTED = "connected"
DOWN = "down"
RECONNECTING = "reconnecting"  # shown only: the record's state stays connected
# A room's set outlives any call (it is emptied as lines leave): a day, in case one is missed.
ROOM_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Line:
    sid: str
    state: str
    since: float
    call: str = ""  # the caller's room the line is in; "" for the agent's own room
    reconnecting: float = 0.0  # since when the SDK has been reconnecting (0: it is not)

    @property
    def up(self) -> bool:
        return self.state == CONNECTED and bool(self.sid)

    @property
    def idle(self) -> bool:
        """Up and in the agent's own room: free to be moved into a caller's."""
        return self.up and not self.call

    @property
    def shown_state(self) -> str:
        """What the console and the floor show: connected, reconnecting or down."""
        return RECONNECTING if self.up and self.reconnecting else self.state


def _line(fields: dict[str, str]) -> Line | None:
    if not fields.get("sid"):
        return None
    return Line(fields["sid"], fields.get("state", DOWN), float(fields.get("since") or 0),
                fields.get("call", ""), float(fields.get("reconnecting") or 0))


class LineBook:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.redis = client
        self.keys = keys

    def get(self, agent: str) -> Line | None:
        return _line(self.redis.hgetall(self.keys.line(agent)))

    def ready(self, agent: str) -> bool:
        """Does an offer to this agent go to their line: up, in their own room, and not
        reconnecting (they could not hear the caller)?"""
        line = self.get(agent)
        return line is not None and line.idle and not line.reconnecting

    def held(self, agent: str) -> bool:
        """Does the agent's console hold a line that is up, ready or not?"""
        line = self.get(agent)
        return line is not None and line.up

    def many(self, agents: list[str]) -> dict[str, Line]:
        pipe = self.redis.pipeline(transaction=False)
        for agent in agents:
            pipe.hgetall(self.keys.line(agent))
        found = {}
        for agent, fields in zip(agents, pipe.execute(), strict=True):
            line = _line(fields)
            if line is not None:
                found[agent] = line
        return found

    def opened(self, agent: str, sid: str, now: float) -> str:
        """`sid` is the agent's line from now on; returns the line it replaces (or "")."""
        key = self.keys.line(agent)
        with self.redis.pipeline() as pipe:
            pipe.hgetall(key)
            pipe.hset(key, mapping={"sid": sid, "state": CONNECTED, "since": f"{now:.3f}",
                                    "call": "", "reconnecting": ""})
            before, _ = pipe.execute()
        if before.get("call"):
            self.redis.srem(self.keys.room_lines(before["call"]), agent)
        old = before.get("sid", "")
        return old if old != sid and before.get("state") == CONNECTED else ""

    def moved(self, agent: str, sid: str, call: str) -> bool:
        """The line `sid` is now in `call`'s room ("" for the agent's own); False if `sid`
        is not the agent's live line."""
        return self._if_current(agent, sid, {"call": call})

    def dropped(self, agent: str, sid: str, now: float) -> Line | None:
        """The line `sid` ended. Returns it as it was, if it was the agent's live line; None
        if it was an older one (or already down): nothing changes then."""
        line = self.get(agent)
        if line is None or line.sid != sid or not line.up:
            return None
        if not self._if_current(agent, sid, {"state": DOWN, "since": f"{now:.3f}",
                                             "call": "", "reconnecting": ""}):
            return None
        return line

    def reconnecting(self, agent: str, sid: str, now: float | None) -> bool:
        """The console says the line `sid` is reconnecting (since `now`) or is back (None).
        False if `sid` is not the agent's live line (an old tab's report)."""
        return self._if_current(agent, sid, {"reconnecting": "" if now is None
                                             else f"{now:.3f}"})

    def in_room(self, call: str) -> dict[str, Line]:
        """The live lines in `call`'s room, by agent."""
        agents = sorted(self.redis.smembers(self.keys.room_lines(call)))
        return {agent: line for agent, line in self.many(agents).items()
                if line.up and line.call == call}

    def _if_current(self, agent: str, sid: str, fields: dict[str, str]) -> bool:
        """Set `fields` only while `sid` is the agent's live line (WATCH: a line opened or
        dropped meanwhile wins), and keep the rooms' sets true to where the line is."""
        key = self.keys.line(agent)
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(key)
                current_sid, state, room = pipe.hmget(key, "sid", "state", "call")
                if [current_sid, state] != [sid, CONNECTED]:
                    return False
                pipe.multi()
                pipe.hset(key, mapping=fields)
                moved_to = fields.get("call", room or "")
                if room and room != moved_to:
                    pipe.srem(self.keys.room_lines(room), agent)
                if moved_to:
                    pipe.sadd(self.keys.room_lines(moved_to), agent)
                    pipe.expire(self.keys.room_lines(moved_to), ROOM_TTL_SECONDS)
                pipe.execute()
                return True
            except redis.WatchError:
                return False
