"""One Lua script reads the live floor and answers it as one JSON text.

With 200 callers and 100 agents, reading the hashes with pipelined HGETALLs cost the web
process ~10 ms of redis-py packing and reply parsing per snapshot (tens of thousands of
reply elements); one JSON string decoded by `json.loads` costs a fraction of that. Keys are
built inside the script from the prefix, as the queue's scripts do (app/queue/scripts.py):
every key shares one hash tag, so the script stays within one cluster slot. It only reads.

ARGV: prefix, then the department slugs whose queue order is wanted.
Answer: {"calls": [{field: value, ..., "fired": {index: at}, "held", "held_since",
"transfer_state", "transfer_to"}], "agents": [{field: value}], "orders": {slug: [sid...]}}
"""

from __future__ import annotations

CALL_FIELDS = ("sid", "department", "department_name", "queues", "number", "customer_id",
               "language", "state", "priority", "since", "answered_at", "agent", "kind",
               "callback_id", "generation", "ladder")

FLOOR = r"""
local prefix = ARGV[1]
local function k(...) return prefix .. ':' .. table.concat({...}, ':') end
local fields = {FIELDS}
local calls, agents, orders = {}, {}, {}
for _, sid in ipairs(redis.call('SMEMBERS', k('calls'))) do
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
for _, identity in ipairs(redis.call('SMEMBERS', k('agents'))) do
  local flat = redis.call('HGETALL', k('agent', identity))
  if #flat > 0 then
    local agent = {}
    for i = 1, #flat, 2 do agent[flat[i]] = flat[i + 1] end
    table.insert(agents, agent)
  end
end
for i = 2, #ARGV do
  orders[ARGV[i]] = redis.call('ZRANGE', k('q', ARGV[i]), 0, -1)
end
return cjson.encode({calls = calls, agents = agents, orders = orders})
""".replace("FIELDS", ", ".join(f"'{name}'" for name in CALL_FIELDS))
