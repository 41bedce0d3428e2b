-- wrk script: POST pre-signed requests, each thread cycling through its own slice of a file.
-- Usage: wrk -s post_requests.lua URL -- REQUESTS_FILE THREADS
-- The file has one request per line: form body, TAB, X-Twilio-Signature.
-- Prints one line "BENCH_JSON {...}" with the figures bench.incoming reads.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  reqs = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == tid then
      local body, signature = line:match("^(.-)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", wrk.path, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = signature,
      }, body)
    end
    i = i + 1
  end
  n = 0
  wraps = 0
end

function request()
  n = n + 1
  if n > #reqs then
    n = 1
    wraps = wraps + 1
  end
  return reqs[n]
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do
    wrapped = wrapped + (thread:get("wraps") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "wraps": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status,
    e.timeout, wrapped))
end
