-- wrk script: send the requests of one endpoint in turn, then report as one JSON line.
--   wrk ... -s bench/wrk.lua URL -- REQUESTS.lua
-- REQUESTS.lua returns a list of {method=, path=, headers={...}, body=} tables.

local prepared = {}
local sent = 0

function init(args)
  for i, spec in ipairs(dofile(args[1])) do
    prepared[i] = wrk.format(spec.method, spec.path, spec.headers, spec.body)
  end
end

function request()
  sent = sent % #prepared + 1
  return prepared[sent]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
