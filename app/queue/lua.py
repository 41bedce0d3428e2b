"""Every Lua script over the floor's keys, with the keys and arguments each one takes.

A script runs atomically in Redis: each check-and-change of a caller, an agent, a transfer or
the hold clock's deadlines happens in one step, so two web processes or two clocks never act
on the same state at once. The queue owns them all; call controls (app/calls/store.py) and
the dashboard (app/dashboard/snapshot.py) run theirs from here too.

Keys. Every key of the floor carries one hash tag (`{cc}`, app/queue/keys.py), so all of
them sit in one Redis Cluster slot. A script either declares every key it touches in KEYS
(`floor=False`: ENQUEUE, CLAIM_DUE, CREATE_TRANSFER, TRANSITION, TAKE_CALL), or, when its keys
depend on what it reads (the departments in a call's `queues`, an agent's availability sets,
the head of a queue), takes the floor's prefix (`{cc}`) as its one key (`floor=True`) and
builds the others from it with `k(...)`. Either way a cluster client routes the script to the
floor's slot by its KEYS; docs/scaling.md says what a cluster still lacks.

The call hash (`k('call', sid)`), read in Python only through app/queue/livecall.py: sid,
department, department_name, queues (comma list of the departments whose queue holds it),
score, priority, since (wait start, epoch s), state (waiting | in_offer | offered | connected
| transferring | ended), agent, agent_leg, offered_at, answered_at, ended_at, generation
(hold-clock generation), ladder (JSON), fired:<generation>:<index> and due:<gen>:<index>
(hold-clock marks), offer_pending, retry_at, ring_failures, withdrawn_leg, announce, number,
customer_id, language, any_language ('1' once the ladder's `any_language` step let any
agent of the caller's queues take them, whatever languages the agent speaks), kind,
callback_id, interaction_id.
The agent hash (`k('agent', identity)`): identity, state (offline | available | ringing |
on_call | wrap_up | away), since, reason, call, departments (comma list), languages (comma
list of the codes the agent speaks; absent or empty: not known, see below).

Availability. An available agent is in `k('avail', d)` for each of their departments d, and
in `k('speaks', d, lang)` for each language they speak (both scored by idle-since, longest
idle first); an agent whose languages are not known (a presence set before agents had
languages, or by a path that did not say) is in `k('speaks', d, '*')` and takes a caller of
any language, as before languages were a skill. `make_available` / `make_unavailable` keep
all of these sets in step with the agent hash.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

# Helpers for every script.
_SPLIT = r"""
local function split(s)
  local out = {}
  if not s or s == '' then return out end
  for part in string.gmatch(s, '([^,]+)') do table.insert(out, part) end
  return out
end
"""

# Helpers for the scripts that build their keys from the floor's prefix (KEYS[1]).
_FLOOR = r"""
local prefix = KEYS[1]
local function k(...) return prefix .. ':' .. table.concat({...}, ':') end
""" + _SPLIT + r"""
-- The sets an available agent is in: each department's, and each (department, language).
local function availability_sets(identity)
  local a = redis.call('HMGET', k('agent', identity), 'departments', 'languages')
  local languages = split(a[2])
  if #languages == 0 then languages = {'*'} end
  local sets = {}
  for _, d in ipairs(split(a[1])) do
    table.insert(sets, k('avail', d))
    for _, l in ipairs(languages) do table.insert(sets, k('speaks', d, l)) end
  end
  return sets
end
local function make_available(identity, now)
  redis.call('HSET', k('agent', identity), 'state', 'available', 'since', now, 'reason', '',
             'call', '')
  for _, set in ipairs(availability_sets(identity)) do redis.call('ZADD', set, now, identity) end
end
local function make_unavailable(identity, state, now, reason, call)
  redis.call('HSET', k('agent', identity), 'state', state, 'since', now, 'reason', reason or '',
             'call', call or '')
  for _, set in ipairs(availability_sets(identity)) do redis.call('ZREM', set, identity) end
end
local function requeue(sid)
  local ck = k('call', sid)
  local score = redis.call('HGET', ck, 'score')
  for _, d in ipairs(split(redis.call('HGET', ck, 'queues'))) do
    redis.call('ZADD', k('q', d), score, sid)
  end
  redis.call('HSET', ck, 'state', 'waiting', 'agent', '')
end
local function unqueue(sid)
  local ck = k('call', sid)
  for _, d in ipairs(split(redis.call('HGET', ck, 'queues'))) do
    redis.call('ZREM', k('q', d), sid)
  end
end
"""


@dataclass(frozen=True)
class Script:
    """One script: `doc` says its KEYS, ARGV and reply; `floor` scripts take the floor's
    prefix as KEYS[1] and build their keys from it (see the module's docstring)."""

    doc: str
    body: str
    floor: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "doc", inspect.cleandoc(self.doc))

    @property
    def source(self) -> str:
        return (_FLOOR if self.floor else _SPLIT) + self.body


def scripts() -> dict[str, Script]:
    """Every script of the module, by name."""
    return {name: value for name, value in globals().items() if isinstance(value, Script)}


# -- callers (the queue) -------------------------------------------------------------------

ENQUEUE = Script(
    doc="""KEYS: the call hash, the set of live calls, the department's queue.
    ARGV: sid, department, score, priority, since, then field/value pairs.
    Returns 1, or 0 if the caller was already in (and not ended).
    Idempotent: a retried webhook finds the caller already there and changes nothing.""",
    floor=False,
    body=r"""
local sid, dept, score = ARGV[1], ARGV[2], ARGV[3]
local ck = KEYS[1]
if redis.call('EXISTS', ck) == 1 and redis.call('HGET', ck, 'state') ~= 'ended' then
  return 0
end
redis.call('DEL', ck)
redis.call('HSET', ck, 'sid', sid, 'department', dept, 'queues', dept, 'score', score,
           'priority', ARGV[4], 'since', ARGV[5], 'state', 'waiting', 'agent', '',
           'generation', 1)
for i = 6, #ARGV, 2 do redis.call('HSET', ck, ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[2], sid)
redis.call('ZADD', KEYS[3], score, sid)
return 1
""")


MATCH = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, department...
    Pairs the best waiting caller across the departments with the longest-idle available agent
    of that caller's department who speaks the caller's language (`k('speaks', d, language)`,
    or `k('speaks', d, '*')`: an agent whose languages are not known). A caller with no
    language, or whom the ladder's `any_language` step widened (call field `any_language`),
    takes any available agent of the department (`k('avail', d)`).
    Returns {sid, identity, department} or nil.
    Per department, the first LOOK (32) callers of its line are looked at, best first, and
    the first one an available agent can take is that department's candidate: a caller whose
    language nobody free speaks does not hold up the callers behind them. A caller whose last
    ring Twilio refused waits out a short back-off (call field `retry_at`) without losing
    their place, and is passed over meanwhile. A department with nobody available costs one
    EXISTS: the callers are read only when someone could take one.""",
    body=r"""
local now = tonumber(ARGV[1])
local LOOK = 32
local idle_heads = {}
-- The longest-idle member of an availability set, as {identity, idle since}, or false.
local function longest_idle(key)
  local head = idle_heads[key]
  if head == nil then
    local r = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    head = false
    if #r > 0 then head = {r[1], tonumber(r[2])} end
    idle_heads[key] = head
  end
  return head
end
local function agent_for(d, language, any)
  if any or language == '' then return longest_idle(k('avail', d)) end
  local speaker = longest_idle(k('speaks', d, language))
  local unknown = longest_idle(k('speaks', d, '*'))
  if speaker and unknown then
    if unknown[2] < speaker[2] then return unknown end
    return speaker
  end
  return speaker or unknown
end
local function candidate(d)
  if redis.call('EXISTS', k('avail', d)) == 0 then return nil end
  local callers = redis.call('ZRANGE', k('q', d), 0, LOOK - 1, 'WITHSCORES')
  for j = 1, #callers, 2 do
    local c = redis.call('HMGET', k('call', callers[j]), 'retry_at', 'language', 'any_language')
    if not c[1] or c[1] == '' or tonumber(c[1]) <= now then
      local agent = agent_for(d, c[2] or '', c[3] == '1')
      if agent then return {callers[j], tonumber(callers[j + 1]), agent[1], agent[2]} end
    end
  end
  return nil
end
local best_sid, best_score, best_agent, best_idle, best_dept
for i = 2, #ARGV do
  local d = ARGV[i]
  local found = candidate(d)
  if found then
    local score, idle = found[2], found[4]
    if best_sid == nil or score < best_score or (score == best_score and idle < best_idle) then
      best_sid, best_score, best_agent, best_idle, best_dept = found[1], score, found[3], idle, d
    end
  end
end
if best_sid == nil then return nil end
unqueue(best_sid)
redis.call('HSET', k('call', best_sid), 'state', 'offered', 'agent', best_agent,
           'offered_at', ARGV[1])
make_unavailable(best_agent, 'ringing', ARGV[1], '', best_sid)
return {best_sid, best_agent, best_dept}
""")


RELEASE_OFFER = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid, identity, agent_state, reason[, retry_at, ring_failures]
    The agent did not answer (or rejected): the caller goes back to their place, the agent to
    `agent_state`. Returns 1 if the caller was requeued, 0 if the offer was already over.
    With retry_at (Twilio refused the ring), the caller is not offered again before then.""",
    body=r"""
local now, sid, identity = ARGV[1], ARGV[2], ARGV[3]
local ck = k('call', sid)
local requeued = 0
if redis.call('HGET', ck, 'state') == 'offered' and redis.call('HGET', ck, 'agent') == identity
then
  requeue(sid)
  if ARGV[6] then redis.call('HSET', ck, 'retry_at', ARGV[6], 'ring_failures', ARGV[7]) end
  requeued = 1
end
local ak = k('agent', identity)
if redis.call('HGET', ak, 'call') == sid then
  if ARGV[4] == 'available' then make_available(identity, now)
  else make_unavailable(identity, ARGV[4], now, ARGV[5], '') end
end
return requeued
""")


ANSWER = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid, identity -> wait seconds as a string, or nil if not offered to them.""",
    body=r"""
local now, sid, identity = ARGV[1], ARGV[2], ARGV[3]
local ck = k('call', sid)
if redis.call('HGET', ck, 'state') ~= 'offered' or redis.call('HGET', ck, 'agent') ~= identity
then
  return nil
end
redis.call('HSET', ck, 'state', 'connected', 'answered_at', now)
make_unavailable(identity, 'on_call', now, '', sid)
return tostring(tonumber(now) - tonumber(redis.call('HGET', ck, 'since')))
""")


HANG_UP = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid -> {previous state, agent or ''}; the caller is gone.""",
    body=r"""
local now, sid = ARGV[1], ARGV[2]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state')
if not state or state == 'ended' then return {'', ''} end
local agent = redis.call('HGET', ck, 'agent') or ''
unqueue(sid)
redis.call('HSET', ck, 'state', 'ended', 'ended_at', now)
redis.call('SREM', k('calls'), sid)
if state == 'offered' and agent ~= '' and redis.call('HGET', k('agent', agent), 'call') == sid
then
  make_available(agent, now)
end
return {state, agent}
""")


PARK = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: sid -> 1 if the caller was taken out of the queues for the offer menu.""",
    body=r"""
local ck = k('call', ARGV[1])
if redis.call('HGET', ck, 'state') ~= 'waiting' then return 0 end
unqueue(ARGV[1])
redis.call('HSET', ck, 'state', 'in_offer')
return 1
""")


UNPARK = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: sid -> 1 if the caller was put back in line, at the place they had.""",
    body=r"""
local ck = k('call', ARGV[1])
if redis.call('HGET', ck, 'state') ~= 'in_offer' then return 0 end
requeue(ARGV[1])
return 1
""")


RESCORE = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: sid, new score, new priority -> 1 if changed.""",
    body=r"""
local sid = ARGV[1]
local ck = k('call', sid)
if redis.call('EXISTS', ck) == 0 then return 0 end
redis.call('HSET', ck, 'score', ARGV[2], 'priority', ARGV[3])
if redis.call('HGET', ck, 'state') == 'waiting' then
  for _, d in ipairs(split(redis.call('HGET', ck, 'queues'))) do
    redis.call('ZADD', k('q', d), ARGV[2], sid)
  end
end
return 1
""")


WIDEN = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: sid, department... -> number of queues added. Agents of these departments
    may now take the caller too; the caller keeps their score.""",
    body=r"""
local sid = ARGV[1]
local ck = k('call', sid)
if redis.call('EXISTS', ck) == 0 then return 0 end
local queues = split(redis.call('HGET', ck, 'queues'))
local have = {}
for _, d in ipairs(queues) do have[d] = true end
local added = 0
for i = 2, #ARGV do
  if not have[ARGV[i]] then
    table.insert(queues, ARGV[i]); have[ARGV[i]] = true; added = added + 1
  end
end
redis.call('HSET', ck, 'queues', table.concat(queues, ','))
if redis.call('HGET', ck, 'state') == 'waiting' then
  local score = redis.call('HGET', ck, 'score')
  for _, d in ipairs(queues) do redis.call('ZADD', k('q', d), score, sid) end
end
return added
""")


# -- agents --------------------------------------------------------------------------------

SET_AGENT_STATE = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, identity, state, reason, departments(csv)[, languages(csv)]
    Presence changes an agent makes. Refused (returns the current state) while they are
    ringing or on a call: those end through the call, not a button. Without languages the
    agent hash keeps the ones it has (SET_AGENT_LANGUAGES changes them in any state).""",
    body=r"""
local now, identity, state = ARGV[1], ARGV[2], ARGV[3]
local ak = k('agent', identity)
local current = redis.call('HGET', ak, 'state')
if current == 'ringing' or current == 'on_call' then return current end
-- Leave the old availability sets before replacing the departments and languages.
if current then make_unavailable(identity, current, now, '', '') end
redis.call('HSET', ak, 'identity', identity, 'departments', ARGV[5])
if ARGV[6] then redis.call('HSET', ak, 'languages', ARGV[6]) end
redis.call('SADD', k('agents'), identity)
if state == 'available' then
  -- Keep idle time across a refresh of the same state: longest idle goes first.
  if current == 'available' then now = redis.call('HGET', ak, 'since') or now end
  make_available(identity, now)
else
  make_unavailable(identity, state, now, ARGV[4], '')
end
return state
""")


SET_AGENT_LANGUAGES = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: identity, languages(csv) -> the agent's state ('' when they have no presence).
    The languages an agent speaks, in whatever state they are: an available agent moves to
    the new languages' sets keeping their idle time; any other is in no availability set, and
    becomes available later with these. State, since, reason and call are left alone.""",
    body=r"""
local identity = ARGV[1]
local ak = k('agent', identity)
if redis.call('EXISTS', ak) == 0 then return '' end
local state = redis.call('HGET', ak, 'state') or ''
local since = redis.call('HGET', ak, 'since') or '0'
if state == 'available' then
  for _, set in ipairs(availability_sets(identity)) do redis.call('ZREM', set, identity) end
end
redis.call('HSET', ak, 'languages', ARGV[2])
if state == 'available' then
  for _, set in ipairs(availability_sets(identity)) do redis.call('ZADD', set, since, identity) end
end
return state
""")


FINISH_CALL = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, identity, state('wrap_up'|'available'|'away'), reason
    The end of an agent's call: on_call -> wrap_up -> available.""",
    body=r"""
local now, identity, state = ARGV[1], ARGV[2], ARGV[3]
local ak = k('agent', identity)
if redis.call('EXISTS', ak) == 0 then return 0 end
if state == 'available' then make_available(identity, now)
else make_unavailable(identity, state, now, ARGV[4], '') end
return 1
""")


# -- the hold clock's deadlines (app/queue/holdclock.py) ----------------------------------

CLAIM_DUE = Script(
    doc="""KEYS: the hold clock's deadlines, its leases (both sorted sets).
    ARGV: now, limit, lease_seconds -> members claimed, each followed by its due time.
    A step is taken from the deadlines and leased; it is acknowledged once fired. A clock
    process that dies leaves its lease to expire, and the step is claimed again.""",
    floor=False,
    body=r"""
local now, limit, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, m in ipairs(expired) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[1], now, m)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0,
                       limit)
local out = {}
for i = 1, #due, 2 do
  redis.call('ZREM', KEYS[1], due[i])
  redis.call('ZADD', KEYS[2], now + lease, due[i])
  table.insert(out, due[i]); table.insert(out, due[i + 1])
end
return out
""")


# -- supervisors (app/supervision) ---------------------------------------------------------

REASSIGN = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: sid, department, department_name -> 'ok', or the caller's state ('' if gone).
    A waiting caller (or one in the offer menu) moves to another department's queue, keeping
    their score (their place by priority and wait start); checked and moved in one step, so a
    caller who hangs up at that instant is either moved before or refused after.""",
    body=r"""
local sid, dept = ARGV[1], ARGV[2]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state') or ''
if state ~= 'waiting' and state ~= 'in_offer' then return state end
unqueue(sid)
redis.call('HSET', ck, 'department', dept, 'queues', dept, 'department_name', ARGV[3])
if state == 'waiting' then
  redis.call('ZADD', k('q', dept), redis.call('HGET', ck, 'score'), sid)
end
return 'ok'
""")


OFFER_TO = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid, identity -> 'ok', 'caller:<state>' or 'agent:<state>'.
    A supervisor hands a waiting caller to one available agent: reserved as MATCH would.""",
    body=r"""
local now, sid, identity = ARGV[1], ARGV[2], ARGV[3]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state') or ''
if state ~= 'waiting' then return 'caller:' .. state end
local agent_state = redis.call('HGET', k('agent', identity), 'state') or 'offline'
if agent_state ~= 'available' then return 'agent:' .. agent_state end
unqueue(sid)
redis.call('HSET', ck, 'state', 'offered', 'agent', identity, 'offered_at', now)
make_unavailable(identity, 'ringing', now, '', sid)
return 'ok'
""")


TAKE_BACK = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid, new identity ('' = back to the head of the queue)
      -> {'ok', agent whose offer was withdrawn, their leg} or {'caller:<state>' | 'agent:<state>'}.
    The ringing agent is freed (available); the caller goes to the new agent, or back in line
    ahead of everyone. The withdrawn leg is remembered so its late status callback is ignored.""",
    body=r"""
local now, sid, target = ARGV[1], ARGV[2], ARGV[3]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state') or ''
if state ~= 'offered' then return {'caller:' .. state} end
local old = redis.call('HGET', ck, 'agent') or ''
if target ~= '' then
  if target == old then return {'agent:ringing'} end
  local agent_state = redis.call('HGET', k('agent', target), 'state') or 'offline'
  if agent_state ~= 'available' then return {'agent:' .. agent_state} end
end
local leg = redis.call('HGET', ck, 'agent_leg') or ''
redis.call('HSET', ck, 'withdrawn_leg', leg, 'agent_leg', '')
if old ~= '' and redis.call('HGET', k('agent', old), 'call') == sid then
  make_available(old, now)
end
if target ~= '' then
  redis.call('HSET', ck, 'agent', target, 'offered_at', now)
  make_unavailable(target, 'ringing', now, '', sid)
else
  local best = tonumber(redis.call('HGET', ck, 'score'))
  for _, d in ipairs(split(redis.call('HGET', ck, 'queues'))) do
    local head = redis.call('ZRANGE', k('q', d), 0, 0, 'WITHSCORES')
    if #head > 0 and tonumber(head[2]) <= best then best = tonumber(head[2]) - 1 end
  end
  redis.call('HSET', ck, 'score', best)
  requeue(sid)
end
return {'ok', old, leg}
""")


# -- the hold clock (app/queue/escalation.py) ---------------------------------------------

FIRE_STEPS = Script(
    doc="""One Lua call fires a whole batch of ladder steps (the hold clock's hot path).

Each step used to cost five or six Redis round trips and their Python (read the call, act,
mark it fired, publish the event, write the timeline, acknowledge): about a third of a
millisecond of the clock process's CPU per step, which two clock processes could not keep up
with at 10,000 callers. Here the checks, the action, the \"fired\" mark, the floor event and
the buffered timeline entry happen inside Redis for every step of the batch at once, and
Python is left with what only it can do: ring agents after a widen, log alerts, and the
offers' REST redirects.

The actions are those of the single-call scripts above (RESCORE, WIDEN, PARK), on the same
call-hash fields, and share their helpers (requeue, unqueue, split): change them together.

KEYS: the floor's prefix (builds every key, all in its slot).
ARGV: now (claim time), at (the time the batch runs, app clock), stream length,
timeline list key ('' for none), retry seconds (offer while ringing), max priority, band,
offer budget (how many callers this batch may park for an offer; -1 for no limit), put-off
time and spacing (offers over the budget), then per step: member, call SID, generation,
index, due.

An offer over the budget (the clock's offer slots are full: Twilio is slow) is not parked:
the caller stays in line and the step goes back on the clock, the n-th of the batch at
put-off time + n x spacing (the clock spaces them at the rate its offers go out, so a backlog
comes back a few at a time instead of all at once, again and again), and the other steps of
the batch never wait behind Twilio. A step put off (this, or an offer while an
agent's phone rings) keeps its first due time in the call hash (`due:<gen>:<index>`), and its
lateness is counted from that, not from the later retry.

Returns {timeline entries pushed, then per step: member, outcome, a, b, c, first due}:
- 'done'     took effect, or had nothing to do (answered, gone, old generation, fired);
- 'route'    a widen (or any_language) took effect; a = the departments (comma list) to
             route;
- 'alert'    an alert took effect; a = the department, b = the step's `at`;
- 'redirect' the caller was parked for the offer: Python redirects the call, then marks it
             fired (a = since, b = interaction id, c = the step's `at`), or puts the
             caller back in line if that fails;
- 'later'    put off: its lease is already gone and it is on the clock again (not to be
             acknowledged: another clock may hold it by then); a = departments to route
             if the caller went back in line (a retried offer over the budget).""",
    body=r"""
local now, at = tonumber(ARGV[1]), tonumber(ARGV[2])
local maxlen, timeline, retry = ARGV[3], ARGV[4], tonumber(ARGV[5])
local max_priority, band = tonumber(ARGV[6]), tonumber(ARGV[7])
local budget, put_off_at, spacing = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local put_offs = 0
local events, deadlines, leases = k('events'), k('deadlines'), k('deadlines', 'leases')
local ladders, out, pushed = {}, {0}, 0
local function round3(x) return math.floor(x * 1000 + 0.5) / 1000 end
local function publish(kind, detail)
  redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*', 'type', kind,
             'at', string.format('%.3f', at), 'detail', cjson.encode(detail))
end
local function fired(ck, sid, gen, index, step, since, iid, due, state)
  redis.call('HSET', ck, 'fired:' .. gen .. ':' .. index, string.format('%.3f', at))
  local waited = 0
  if since then waited = round3(now - tonumber(since)) end
  local detail = {step = step.action, at = step.at, waited = waited, late = round3(at - due)}
  -- state: where the caller was (an announce while at the offer menu is heard by nobody,
  -- and the floor feed says nothing of it)
  local event = {call_sid = sid, step = step.action, at = step.at, waited = waited,
                 late = detail.late, state = state}
  publish('call.escalated', event)
  if timeline ~= '' and iid and string.match(iid, '^%d+$') then
    redis.call('RPUSH', timeline, cjson.encode({tonumber(iid), 'escalated', detail, at}))
    pushed = pushed + 1
  end
end
local function put_off(ck, member, gen, index, due, when)
  redis.call('HSETNX', ck, 'due:' .. gen .. ':' .. index, string.format('%.17g', due))
  redis.call('ZREM', leases, member)
  redis.call('ZADD', deadlines, when, member)
end
local waiting_states = {waiting = true, offered = true, in_offer = true}
for i = 11, #ARGV, 5 do
  local member, sid, gen, index, due = ARGV[i], ARGV[i + 1], ARGV[i + 2],
                                       tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
  local ck = k('call', sid)
  local c = redis.call('HMGET', ck, 'state', 'generation', 'ladder', 'priority', 'since',
                       'department', 'interaction_id', 'fired:' .. gen .. ':' .. index,
                       'due:' .. gen .. ':' .. index)
  local state, ladder_json, since, iid = c[1], c[3], c[5], c[7]
  due = tonumber(c[9]) or due
  local outcome, a, b, extra = 'done', '', '', ''
  if state and waiting_states[state] and c[2] == gen and not c[8] then
    local ladder = ladders[ladder_json or '']
    if ladder == nil then
      ladder = cjson.decode(ladder_json or '[]')
      ladders[ladder_json or ''] = ladder
    end
    local step = ladder[index + 1]
    if step then
      local action = step.action
      if action == 'offer' then
        local pending = state == 'in_offer' and redis.call('HGET', ck, 'offer_pending') == gen
        if state == 'offered' then
          -- An agent's phone is ringing for this caller; ask again shortly.
          put_off(ck, member, gen, index, due, now + retry)
          outcome = 'later'
        elseif (state == 'waiting' or pending) and budget == 0 then
          if pending then
            -- Parked by a clock that died before its redirect: back in line meanwhile.
            requeue(sid)
            a = redis.call('HGET', ck, 'queues') or ''
          end
          put_off(ck, member, gen, index, due, put_off_at + put_offs * spacing)
          put_offs = put_offs + 1
          outcome = 'later'
        elseif state == 'waiting' then
          budget = budget - 1
          unqueue(sid)
          -- offer_pending: parked by this step, so a retry after a clock died before its
          -- redirect landed redirects again (tests/faults/test_clock_killed.py).
          redis.call('HSET', ck, 'state', 'in_offer', 'offer_pending', gen)
          outcome, a, b, extra = 'redirect', since or '', iid or '', tostring(step.at)
        elseif pending then
          budget = budget - 1
          outcome, a, b, extra = 'redirect', since or '', iid or '', tostring(step.at)
        else
          fired(ck, sid, gen, index, step, since, iid, due, state)  -- already in the offer menu
        end
      else
        if action == 'announce' then
          redis.call('HSET', ck, 'announce', '1')
        elseif action == 'raise_priority' and since then
          local priority = math.min(max_priority, (tonumber(c[4]) or 0) + (step.by or 1))
          local score = string.format('%.17g', (max_priority - priority) * band +
                                      tonumber(since))
          redis.call('HSET', ck, 'score', score, 'priority', priority)
          if state == 'waiting' then
            for _, d in ipairs(split(redis.call('HGET', ck, 'queues'))) do
              redis.call('ZADD', k('q', d), score, sid)
            end
          end
        elseif action == 'widen' then
          local wanted = {}
          for _, d in ipairs(step.departments or {}) do
            if d ~= '' then table.insert(wanted, d) end
          end
          if #wanted > 0 then
            local queues = split(redis.call('HGET', ck, 'queues'))
            local have = {}
            for _, d in ipairs(queues) do have[d] = true end
            for _, d in ipairs(wanted) do
              if not have[d] then table.insert(queues, d); have[d] = true end
            end
            redis.call('HSET', ck, 'queues', table.concat(queues, ','))
            if state == 'waiting' then
              local score = redis.call('HGET', ck, 'score')
              for _, d in ipairs(queues) do redis.call('ZADD', k('q', d), score, sid) end
            end
            outcome, a = 'route', table.concat(wanted, ',')
          end
        elseif action == 'any_language' then
          -- Any available agent of the caller's queues may take them now, whatever languages
          -- the agent speaks (MATCH reads the mark).
          redis.call('HSET', ck, 'any_language', '1')
          local queues = redis.call('HGET', ck, 'queues') or ''
          if state == 'waiting' and queues ~= '' then outcome, a = 'route', queues end
        elseif action == 'alert' then
          publish('alert.long_wait', {call_sid = sid, department = c[6] or '',
                                      waited = step.at})
          outcome, a, b = 'alert', c[6] or '', tostring(step.at)
        end
        fired(ck, sid, gen, index, step, since, iid, due, state)
      end
    end
  end
  table.insert(out, member); table.insert(out, outcome)
  table.insert(out, a); table.insert(out, b); table.insert(out, extra)
  table.insert(out, string.format('%.17g', due))
end
out[1] = pushed
return out
""")


# -- call controls (app/calls/store.py): transfers, the agents they take, the caller --------

CREATE_TRANSFER = Script(
    doc="""KEYS: the call's transfer hash.
    ARGV: field/value pairs -> 'ok', or the state of the transfer in progress.
    Two transfers started at once on one call: exactly one of them finds no live transfer.""",
    floor=False,
    body=r"""
local final = {completed = true, cancelled = true, failed = true}
local key = KEYS[1]
local state = redis.call('HGET', key, 'state')
if state and not final[state] then return state end
redis.call('DEL', key)
for i = 1, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
return 'ok'
""")


TRANSITION = Script(
    doc="""KEYS: the call's transfer hash.
    ARGV: transfer id, allowed states (csv), new state, field/value pairs
    -> 'ok', or the transfer's current state ('' when it is not that transfer any more).""",
    floor=False,
    body=r"""
local key = KEYS[1]
if redis.call('HGET', key, 'id') ~= ARGV[1] then return '' end
local state = redis.call('HGET', key, 'state')
for _, allowed in ipairs(split(ARGV[2])) do
  if allowed == state then
    redis.call('HSET', key, 'state', ARGV[3])
    for i = 4, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
    return 'ok'
  end
end
return state
""")


RESERVE_AGENT = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid, candidates (csv, may be empty), department (may be empty)
    Takes an available agent for this call (state ringing, out of the availability sets):
    the first available candidate by longest idle, else the department's longest idle.""",
    body=r"""
local now, sid = ARGV[1], ARGV[2]
local who, idle
for _, c in ipairs(split(ARGV[3])) do
  local ak = k('agent', c)
  if redis.call('HGET', ak, 'state') == 'available' then
    local since = tonumber(redis.call('HGET', ak, 'since') or now)
    if who == nil or since < idle then who, idle = c, since end
  end
end
if who == nil and ARGV[4] ~= '' then
  local head = redis.call('ZRANGE', k('avail', ARGV[4]), 0, 0)
  if #head > 0 then who = head[1] end
end
if who == nil or redis.call('HGET', k('agent', who), 'state') ~= 'available' then return false end
make_unavailable(who, 'ringing', now, 'transfer', sid)
return who
""")


TARGET_ANSWERED = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid, identity -> 1 if the agent rung for this call is now on it.""",
    body=r"""
local ak = k('agent', ARGV[3])
if redis.call('HGET', ak, 'call') ~= ARGV[2] or redis.call('HGET', ak, 'state') ~= 'ringing'
then return 0 end
make_unavailable(ARGV[3], 'on_call', ARGV[1], '', ARGV[2])
return 1
""")


RELEASE_AGENT = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: now, sid, identity, state (available | away), reason
    -> 1 if the agent was still ringing for, or on, this call and is now released.""",
    body=r"""
local ak = k('agent', ARGV[3])
local state = redis.call('HGET', ak, 'state')
if redis.call('HGET', ak, 'call') ~= ARGV[2] or (state ~= 'ringing' and state ~= 'on_call')
then return 0 end
if ARGV[4] == 'available' then make_available(ARGV[3], ARGV[1])
else make_unavailable(ARGV[3], ARGV[4], ARGV[1], ARGV[5], '') end
return 1
""")


TAKE_CALL = Script(
    doc="""KEYS: the call hash.
    ARGV: agent, new state, then field/value pairs
    -> 1 if the caller was talking to `agent` and now is in the new state.""",
    floor=False,
    body=r"""
local ck = KEYS[1]
if redis.call('HGET', ck, 'state') ~= 'connected' or redis.call('HGET', ck, 'agent') ~= ARGV[1]
then return 0 end
redis.call('HSET', ck, 'state', ARGV[2])
for i = 3, #ARGV, 2 do redis.call('HSET', ck, ARGV[i], ARGV[i + 1]) end
return 1
""")


REQUEUE = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: sid, department, score, priority, since, then field/value pairs
    The caller waits again, in this department's line at the score given (the head).""",
    body=r"""
local sid = ARGV[1]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state')
if not state or state == 'ended' then return 0 end
unqueue(sid)
redis.call('HSET', ck, 'department', ARGV[2], 'queues', ARGV[2], 'score', ARGV[3],
           'priority', ARGV[4], 'since', ARGV[5], 'state', 'waiting', 'agent', '')
for i = 6, #ARGV, 2 do redis.call('HSET', ck, ARGV[i], ARGV[i + 1]) end
redis.call('SADD', k('calls'), sid)
redis.call('ZADD', k('q', ARGV[2]), ARGV[3], sid)
return 1
""")


# -- the dashboard (app/dashboard/snapshot.py) ---------------------------------------------
# They only read, and answer JSON text: with 200 callers and 100 agents, pipelined HGETALLs
# cost the web process ~10 ms of redis-py reply parsing per snapshot; `json.loads` a fraction.
# A script runs alone in Redis, so the dashboard reads calls in slices (webhooks and the hold
# clock run in between).

CALL_FIELDS = ("sid", "department", "department_name", "queues", "number", "customer_id",
               "language", "any_language", "state", "priority", "since", "answered_at", "agent",
               "kind", "callback_id", "generation", "ladder")

CALLS = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: call SIDs -> JSON list of the live (not ended) calls: {CALL_FIELDS..., "fired":
    {index: at} for the current generation, and for connected calls "held", "held_since"
    (the call controls' ctl hash), "transfer_state", "transfer_to" (the transfer hash)}.""",
    body=r"""
local fields = {FIELDS}
local calls = {}
for index = 1, #ARGV do
  local sid = ARGV[index]
  local key = k('call', sid)
  local values = redis.call('HMGET', key, unpack(fields))
  local call = {}
  for i, name in ipairs(fields) do
    if values[i] then call[name] = values[i] end
  end
  if call.sid and call.state ~= 'ended' then
    local generation = call.generation or '1'
    local ok, ladder = pcall(cjson.decode, call.ladder or '[]')
    local fired = {}
    if ok and type(ladder) == 'table' then
      for i = 0, #ladder - 1 do
        local at = redis.call('HGET', key, 'fired:' .. generation .. ':' .. i)
        if at then fired[tostring(i)] = at end
      end
    end
    call.fired = fired
    if call.state == 'connected' then
      local ctl = redis.call('HMGET', k('ctl', sid), 'held', 'held_since')
      local transfer = redis.call('HMGET', k('transfer', sid), 'state', 'to_agent')
      call.held = ctl[1] or ''
      call.held_since = ctl[2] or ''
      call.transfer_state = transfer[1] or ''
      call.transfer_to = transfer[2] or ''
    end
    table.insert(calls, call)
  end
end
return cjson.encode(calls)
""".replace("FIELDS", ", ".join(f"'{name}'" for name in CALL_FIELDS)))


AGENTS = Script(
    doc="""KEYS: the floor's prefix (builds every key, all in its slot).
    ARGV: none -> JSON list of every agent's presence hash.""",
    body=r"""
local agents = {}
for _, identity in ipairs(redis.call('SMEMBERS', k('agents'))) do
  local flat = redis.call('HGETALL', k('agent', identity))
  if #flat > 0 then
    local agent = {}
    for i = 1, #flat, 2 do agent[flat[i]] = flat[i + 1] end
    table.insert(agents, agent)
  end
end
return cjson.encode(agents)
""")


# -- calls per second (app/queue/governor.py) ------------------------------------------------

RESERVE_CPS = Script(
    doc="""KEYS: the account's slot set (`{cc}:cps`: reservation id scored by its slot).
    ARGV: now, interval (1 / calls per second), latest ('' for none), id.
    Reserves the first free slot: `now`, or one interval after the last slot reserved,
    whichever is later; no two reservations of any process share an interval. With `latest`,
    a slot later than it is not reserved. Returns {1 reserved | 0 refused, slot as a string}.
    Slots more than an interval past are forgotten: they no longer hold anything back.""",
    floor=False,
    body=r"""
local key = KEYS[1]
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - interval))
local slot = now
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if #last > 0 and tonumber(last[2]) + interval > slot then slot = tonumber(last[2]) + interval end
if ARGV[3] ~= '' and slot > tonumber(ARGV[3]) then return {0, string.format('%.6f', slot)} end
redis.call('ZADD', key, string.format('%.6f', slot), ARGV[4])
return {1, string.format('%.6f', slot)}
""")
