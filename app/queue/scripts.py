"""Lua scripts: every change to queues and agent presence happens in one atomic step.

Key names are built inside the scripts from the prefix (ARGV[1]); all of them share one hash
tag, so they live in one cluster slot (see keys.py).

Call hash fields: sid, department, queues (comma list of the departments whose queue holds
it), score, priority, since (wait start, epoch s), state (waiting | offered | in_offer |
connected | ended), agent, generation (hold-clock generation).
Agent hash fields: identity, state (offline | available | ringing | on_call | wrap_up | away),
since, reason, call, departments (comma list).
"""

from __future__ import annotations

# Shared helpers, prepended to every script.
_PRELUDE = r"""
local prefix = ARGV[1]
local function k(...) return prefix .. ':' .. table.concat({...}, ':') end
local function split(s)
  local out = {}
  if not s or s == '' then return out end
  for part in string.gmatch(s, '([^,]+)') do table.insert(out, part) end
  return out
end
local function make_available(identity, now)
  local deps = split(redis.call('HGET', k('agent', identity), 'departments'))
  redis.call('HSET', k('agent', identity), 'state', 'available', 'since', now, 'reason', '',
             'call', '')
  for _, d in ipairs(deps) do redis.call('ZADD', k('avail', d), now, identity) end
end
local function make_unavailable(identity, state, now, reason, call)
  local deps = split(redis.call('HGET', k('agent', identity), 'departments'))
  redis.call('HSET', k('agent', identity), 'state', state, 'since', now, 'reason', reason or '',
             'call', call or '')
  for _, d in ipairs(deps) do redis.call('ZREM', k('avail', d), identity) end
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

# ARGV: prefix, sid, department, score, priority, since, then field/value pairs.
# Idempotent: a retried webhook finds the caller already there and changes nothing.
ENQUEUE = _PRELUDE + r"""
local sid, dept, score = ARGV[2], ARGV[3], ARGV[4]
local ck = k('call', sid)
if redis.call('EXISTS', ck) == 1 and redis.call('HGET', ck, 'state') ~= 'ended' then
  return 0
end
redis.call('DEL', ck)
redis.call('HSET', ck, 'sid', sid, 'department', dept, 'queues', dept, 'score', score,
           'priority', ARGV[5], 'since', ARGV[6], 'state', 'waiting', 'agent', '',
           'generation', 1)
for i = 7, #ARGV, 2 do redis.call('HSET', ck, ARGV[i], ARGV[i + 1]) end
redis.call('SADD', k('calls'), sid)
redis.call('ZADD', k('q', dept), score, sid)
return 1
"""

# ARGV: prefix, now, department...
# Pairs the best waiting caller across the departments with the longest-idle available agent
# of that caller's department. Returns {sid, identity, department} or nil.
# A caller whose last ring Twilio refused waits out a short back-off (call field `retry_at`)
# without losing their place: the first few callers of each queue are looked at, and the
# best one not backing off is taken.
MATCH = _PRELUDE + r"""
local now = ARGV[2]
local LOOK = 8
local function head_of(d)
  local heads = redis.call('ZRANGE', k('q', d), 0, LOOK - 1, 'WITHSCORES')
  for j = 1, #heads, 2 do
    local retry_at = redis.call('HGET', k('call', heads[j]), 'retry_at')
    if not retry_at or retry_at == '' or tonumber(retry_at) <= tonumber(now) then
      return {heads[j], heads[j + 1]}
    end
  end
  return {}
end
local best_sid, best_score, best_agent, best_idle, best_dept
for i = 3, #ARGV do
  local d = ARGV[i]
  local head = head_of(d)
  if #head > 0 then
    local agent = redis.call('ZRANGE', k('avail', d), 0, 0, 'WITHSCORES')
    if #agent > 0 then
      local score, idle = tonumber(head[2]), tonumber(agent[2])
      if best_sid == nil or score < best_score or (score == best_score and idle < best_idle) then
        best_sid, best_score, best_agent, best_idle, best_dept = head[1], score, agent[1], idle, d
      end
    end
  end
end
if best_sid == nil then return nil end
unqueue(best_sid)
redis.call('HSET', k('call', best_sid), 'state', 'offered', 'agent', best_agent,
           'offered_at', now)
make_unavailable(best_agent, 'ringing', now, '', best_sid)
return {best_sid, best_agent, best_dept}
"""

# ARGV: prefix, now, sid, identity, agent_state, reason[, retry_at, ring_failures]
# The agent did not answer (or rejected): the caller goes back to their place, the agent to
# `agent_state`. Returns 1 if the caller was requeued, 0 if the offer was already over.
# With retry_at (Twilio refused the ring), the caller is not offered again before then.
RELEASE_OFFER = _PRELUDE + r"""
local now, sid, identity = ARGV[2], ARGV[3], ARGV[4]
local ck = k('call', sid)
local requeued = 0
if redis.call('HGET', ck, 'state') == 'offered' and redis.call('HGET', ck, 'agent') == identity
then
  requeue(sid)
  if ARGV[7] then redis.call('HSET', ck, 'retry_at', ARGV[7], 'ring_failures', ARGV[8]) end
  requeued = 1
end
local ak = k('agent', identity)
if redis.call('HGET', ak, 'call') == sid then
  if ARGV[5] == 'available' then make_available(identity, now)
  else make_unavailable(identity, ARGV[5], now, ARGV[6], '') end
end
return requeued
"""

# ARGV: prefix, now, sid, identity -> wait seconds as a string, or nil if not offered to them.
ANSWER = _PRELUDE + r"""
local now, sid, identity = ARGV[2], ARGV[3], ARGV[4]
local ck = k('call', sid)
if redis.call('HGET', ck, 'state') ~= 'offered' or redis.call('HGET', ck, 'agent') ~= identity
then
  return nil
end
redis.call('HSET', ck, 'state', 'connected', 'answered_at', now)
make_unavailable(identity, 'on_call', now, '', sid)
return tostring(tonumber(now) - tonumber(redis.call('HGET', ck, 'since')))
"""

# ARGV: prefix, now, sid -> {previous state, agent or ''}; the caller is gone.
HANG_UP = _PRELUDE + r"""
local now, sid = ARGV[2], ARGV[3]
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
"""

# ARGV: prefix, sid -> 1 if the caller was taken out of the queues for the offer menu.
PARK = _PRELUDE + r"""
local ck = k('call', ARGV[2])
if redis.call('HGET', ck, 'state') ~= 'waiting' then return 0 end
unqueue(ARGV[2])
redis.call('HSET', ck, 'state', 'in_offer')
return 1
"""

# ARGV: prefix, sid -> 1 if the caller was put back in line, at the place they had.
UNPARK = _PRELUDE + r"""
local ck = k('call', ARGV[2])
if redis.call('HGET', ck, 'state') ~= 'in_offer' then return 0 end
requeue(ARGV[2])
return 1
"""

# ARGV: prefix, sid, new score, new priority -> 1 if changed.
RESCORE = _PRELUDE + r"""
local sid = ARGV[2]
local ck = k('call', sid)
if redis.call('EXISTS', ck) == 0 then return 0 end
redis.call('HSET', ck, 'score', ARGV[3], 'priority', ARGV[4])
if redis.call('HGET', ck, 'state') == 'waiting' then
  for _, d in ipairs(split(redis.call('HGET', ck, 'queues'))) do
    redis.call('ZADD', k('q', d), ARGV[3], sid)
  end
end
return 1
"""

# ARGV: prefix, sid, department... -> number of queues added. Agents of these departments
# may now take the caller too; the caller keeps their score.
WIDEN = _PRELUDE + r"""
local sid = ARGV[2]
local ck = k('call', sid)
if redis.call('EXISTS', ck) == 0 then return 0 end
local queues = split(redis.call('HGET', ck, 'queues'))
local have = {}
for _, d in ipairs(queues) do have[d] = true end
local added = 0
for i = 3, #ARGV do
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
"""

# ARGV: prefix, now, identity, state, reason, departments(csv)
# Presence changes an agent makes. Refused (returns the current state) while they are
# ringing or on a call: those end through the call, not a button.
SET_AGENT_STATE = _PRELUDE + r"""
local now, identity, state = ARGV[2], ARGV[3], ARGV[4]
local ak = k('agent', identity)
local current = redis.call('HGET', ak, 'state')
if current == 'ringing' or current == 'on_call' then return current end
-- Leave the old department sets before replacing the department list.
if current then make_unavailable(identity, current, now, '', '') end
redis.call('HSET', ak, 'identity', identity, 'departments', ARGV[6])
redis.call('SADD', k('agents'), identity)
if state == 'available' then
  -- Keep idle time across a refresh of the same state: longest idle goes first.
  if current == 'available' then now = redis.call('HGET', ak, 'since') or now end
  make_available(identity, now)
else
  make_unavailable(identity, state, now, ARGV[5], '')
end
return state
"""

# ARGV: prefix, now, identity, state('wrap_up'|'available'|'away'), reason
# The end of an agent's call: on_call -> wrap_up -> available.
FINISH_CALL = _PRELUDE + r"""
local now, identity, state = ARGV[2], ARGV[3], ARGV[4]
local ak = k('agent', identity)
if redis.call('EXISTS', ak) == 0 then return 0 end
if state == 'available' then make_available(identity, now)
else make_unavailable(identity, state, now, ARGV[5], '') end
return 1
"""

# ARGV: prefix, now, limit, lease_seconds -> members claimed.
# A step is taken from the deadlines and leased; it is acknowledged once fired. A clock
# process that dies leaves its lease to expire, and the step is claimed again.
CLAIM_DUE = _PRELUDE + r"""
local now, limit, lease = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local expired = redis.call('ZRANGEBYSCORE', k('deadlines', 'leases'), '-inf', now)
for _, m in ipairs(expired) do
  redis.call('ZREM', k('deadlines', 'leases'), m)
  redis.call('ZADD', k('deadlines'), now, m)
end
local due = redis.call('ZRANGEBYSCORE', k('deadlines'), '-inf', now, 'WITHSCORES', 'LIMIT', 0,
                       limit)
local out = {}
for i = 1, #due, 2 do
  redis.call('ZREM', k('deadlines'), due[i])
  redis.call('ZADD', k('deadlines', 'leases'), now + lease, due[i])
  table.insert(out, due[i]); table.insert(out, due[i + 1])
end
return out
"""

# -- supervisors (app/supervision) ----------------------------------------------------------

# ARGV: prefix, sid, department, department_name -> 'ok', or the caller's state ('' if gone).
# A waiting caller (or one in the offer menu) moves to another department's queue, keeping
# their score (their place by priority and wait start); checked and moved in one step, so a
# caller who hangs up at that instant is either moved before or refused after.
REASSIGN = _PRELUDE + r"""
local sid, dept = ARGV[2], ARGV[3]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state') or ''
if state ~= 'waiting' and state ~= 'in_offer' then return state end
unqueue(sid)
redis.call('HSET', ck, 'department', dept, 'queues', dept, 'department_name', ARGV[4])
if state == 'waiting' then
  redis.call('ZADD', k('q', dept), redis.call('HGET', ck, 'score'), sid)
end
return 'ok'
"""

# ARGV: prefix, now, sid, identity -> 'ok', 'caller:<state>' or 'agent:<state>'.
# A supervisor hands a waiting caller to one available agent: reserved as MATCH would.
OFFER_TO = _PRELUDE + r"""
local now, sid, identity = ARGV[2], ARGV[3], ARGV[4]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state') or ''
if state ~= 'waiting' then return 'caller:' .. state end
local agent_state = redis.call('HGET', k('agent', identity), 'state') or 'offline'
if agent_state ~= 'available' then return 'agent:' .. agent_state end
unqueue(sid)
redis.call('HSET', ck, 'state', 'offered', 'agent', identity, 'offered_at', now)
make_unavailable(identity, 'ringing', now, '', sid)
return 'ok'
"""

# ARGV: prefix, now, sid, new identity ('' = back to the head of the queue)
#   -> {'ok', agent whose offer was withdrawn, their leg} or {'caller:<state>' | 'agent:<state>'}.
# The ringing agent is freed (available); the caller goes to the new agent, or back in line
# ahead of everyone. The withdrawn leg is remembered so its late status callback is ignored.
TAKE_BACK = _PRELUDE + r"""
local now, sid, target = ARGV[2], ARGV[3], ARGV[4]
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
"""
