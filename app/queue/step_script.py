"""One Lua call fires a whole batch of ladder steps (the hold clock's hot path).

Each step used to cost five or six Redis round trips and their Python (read the call, act,
mark it fired, publish the event, write the timeline, acknowledge): about a third of a
millisecond of the clock process's CPU per step, which two clock processes could not keep up
with at 10,000 callers. Here the checks, the action, the "fired" mark, the floor event and
the buffered timeline entry happen inside Redis for every step of the batch at once, and
Python is left with what only it can do: ring agents after a widen, log alerts, and the
offers' REST redirects.

The actions are those of the single-call scripts in scripts.py (RESCORE, WIDEN, PARK), on the
same call-hash fields; keep them in step.

ARGV: prefix, now (claim time), at (the time the batch runs, app clock), stream length,
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
- 'route'    a widen took effect; a = the departments (comma list) to route;
- 'alert'    an alert took effect; a = the department, b = the step's `at`;
- 'redirect' the caller was parked for the offer: Python redirects the call, then marks it
             fired (a = since, b = interaction id, c = the step's `at`), or puts the
             caller back in line if that fails;
- 'later'    put off: its lease is already gone and it is on the clock again (not to be
             acknowledged: another clock may hold it by then); a = departments to route
             if the caller went back in line (a retried offer over the budget).
"""

from __future__ import annotations

from app.queue.scripts import _PRELUDE

FIRE_STEPS = _PRELUDE + r"""
local now, at = tonumber(ARGV[2]), tonumber(ARGV[3])
local maxlen, timeline, retry = ARGV[4], ARGV[5], tonumber(ARGV[6])
local max_priority, band = tonumber(ARGV[7]), tonumber(ARGV[8])
local budget, put_off_at, spacing = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
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
for i = 12, #ARGV, 5 do
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
"""
