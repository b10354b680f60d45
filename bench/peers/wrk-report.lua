-- wrk peer for bench/: print the run's numbers as one JSON line at the end.
-- Latencies are wrk's own microsecond histogram. With BENCH_DELAY_MS set, each
-- connection waits that long between a response and its next request.
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"errors":%d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.status + e.timeout))
end
