"""Lua scripts for call controls: each check-and-change happens in one atomic step.

They share the queue's prelude (key builder, agent availability helpers), so an agent taken
for a transfer leaves the same availability sets the router reads. Transfer hash:
`{cc}:transfer:<caller call SID>`, the call's current (or latest) transfer.
"""

from __future__ import annotations

from app.queue.scripts import _PRELUDE

_FINAL = "local final = {completed = true, cancelled = true, failed = true}\n"

# ARGV: prefix, sid, field/value pairs -> 'ok', or the state of the transfer in progress.
# Two transfers started at once on one call: exactly one of them finds no live transfer.
CREATE_TRANSFER = _PRELUDE + _FINAL + r"""
local key = k('transfer', ARGV[2])
local state = redis.call('HGET', key, 'state')
if state and not final[state] then return state end
redis.call('DEL', key)
for i = 3, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
return 'ok'
"""

# ARGV: prefix, sid, transfer id, allowed states (csv), new state, field/value pairs
# -> 'ok', or the transfer's current state ('' when it is not that transfer any more).
TRANSITION = _PRELUDE + r"""
local key = k('transfer', ARGV[2])
if redis.call('HGET', key, 'id') ~= ARGV[3] then return '' end
local state = redis.call('HGET', key, 'state')
for _, allowed in ipairs(split(ARGV[4])) do
  if allowed == state then
    redis.call('HSET', key, 'state', ARGV[5])
    for i = 6, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
    return 'ok'
  end
end
return state
"""

# ARGV: prefix, now, sid, candidates (csv, may be empty), department (may be empty)
# Takes an available agent for this call (state ringing, out of the availability sets):
# the first available candidate by longest idle, else the department's longest idle.
RESERVE_AGENT = _PRELUDE + r"""
local now, sid = ARGV[2], ARGV[3]
local who, idle
for _, c in ipairs(split(ARGV[4])) do
  local ak = k('agent', c)
  if redis.call('HGET', ak, 'state') == 'available' then
    local since = tonumber(redis.call('HGET', ak, 'since') or now)
    if who == nil or since < idle then who, idle = c, since end
  end
end
if who == nil and ARGV[5] ~= '' then
  local head = redis.call('ZRANGE', k('avail', ARGV[5]), 0, 0)
  if #head > 0 then who = head[1] end
end
if who == nil or redis.call('HGET', k('agent', who), 'state') ~= 'available' then return false end
make_unavailable(who, 'ringing', now, 'transfer', sid)
return who
"""

# ARGV: prefix, now, sid, identity -> 1 if the agent rung for this call is now on it.
TARGET_ANSWERED = _PRELUDE + r"""
local ak = k('agent', ARGV[4])
if redis.call('HGET', ak, 'call') ~= ARGV[3] or redis.call('HGET', ak, 'state') ~= 'ringing'
then return 0 end
make_unavailable(ARGV[4], 'on_call', ARGV[2], '', ARGV[3])
return 1
"""

# ARGV: prefix, now, sid, identity, state (available | away), reason
# -> 1 if the agent was still ringing for, or on, this call and is now released.
RELEASE_AGENT = _PRELUDE + r"""
local ak = k('agent', ARGV[4])
local state = redis.call('HGET', ak, 'state')
if redis.call('HGET', ak, 'call') ~= ARGV[3] or (state ~= 'ringing' and state ~= 'on_call')
then return 0 end
if ARGV[5] == 'available' then make_available(ARGV[4], ARGV[2])
else make_unavailable(ARGV[4], ARGV[5], ARGV[2], ARGV[6], '') end
return 1
"""

# ARGV: prefix, sid, agent, new state, then field/value pairs
# -> 1 if the caller was talking to `agent` and now is in the new state.
TAKE_CALL = _PRELUDE + r"""
local ck = k('call', ARGV[2])
if redis.call('HGET', ck, 'state') ~= 'connected' or redis.call('HGET', ck, 'agent') ~= ARGV[3]
then return 0 end
redis.call('HSET', ck, 'state', ARGV[4])
for i = 5, #ARGV, 2 do redis.call('HSET', ck, ARGV[i], ARGV[i + 1]) end
return 1
"""

# ARGV: prefix, sid, department, score, priority, since, then field/value pairs
# The caller waits again, in this department's line at the score given (the head).
REQUEUE = _PRELUDE + r"""
local sid = ARGV[2]
local ck = k('call', sid)
local state = redis.call('HGET', ck, 'state')
if not state or state == 'ended' then return 0 end
unqueue(sid)
redis.call('HSET', ck, 'department', ARGV[3], 'queues', ARGV[3], 'score', ARGV[4],
           'priority', ARGV[5], 'since', ARGV[6], 'state', 'waiting', 'agent', '')
for i = 7, #ARGV, 2 do redis.call('HSET', ck, ARGV[i], ARGV[i + 1]) end
redis.call('SADD', k('calls'), sid)
redis.call('ZADD', k('q', ARGV[3]), ARGV[4], sid)
return 1
"""
