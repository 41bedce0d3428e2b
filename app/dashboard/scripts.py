"""Lua scripts read the live floor and answer it as JSON text.

With 200 callers and 100 agents, reading the hashes with pipelined HGETALLs cost the web
process ~10 ms of redis-py packing and reply parsing per snapshot (tens of thousands of
reply elements); JSON strings decoded by `json.loads` cost a fraction of that. Keys are
built inside the script from the prefix, as the queue's scripts do (app/queue/scripts.py):
every key shares one hash tag, so a script stays within one cluster slot. They only read.

A script runs alone in Redis, so the floor is read in slices (`CHUNK` callers a call) to
keep each one short: webhooks and the hold clock's commands run in between.

CALLS: ARGV prefix, call SIDs -> JSON list of {field: value, ..., "fired": {index: at},
and for connected calls "held", "held_since", "transfer_state", "transfer_to"}.
AGENTS: ARGV prefix -> JSON list of every agent's presence hash.
"""

from __future__ import annotations

CHUNK = 50

CALL_FIELDS = ("sid", "department", "department_name", "queues", "number", "customer_id",
               "language", "state", "priority", "since", "answered_at", "agent", "kind",
               "callback_id", "generation", "ladder")

_PRELUDE = r"""
local prefix = ARGV[1]
local function k(...) return prefix .. ':' .. table.concat({...}, ':') end
"""

CALLS = _PRELUDE + r"""
local fields = {FIELDS}
local calls = {}
for index = 2, #ARGV do
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
""".replace("FIELDS", ", ".join(f"'{name}'" for name in CALL_FIELDS))

AGENTS = _PRELUDE + r"""
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
"""
