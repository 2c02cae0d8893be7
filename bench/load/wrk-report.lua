-- wrk script for bench/load/run.sh.
--   wrk ... -s wrk-report.lua URL                 GET URL
--   wrk ... -s wrk-report.lua URL -- BODYFILE     POST the bytes of BODYFILE to URL
-- done() prints one machine-readable line that run.sh parses:
--   BENCH requests=N duration_us=N bytes=N connect=N read=N write=N status=N timeout=N p50_us=X p99_us=X ...
-- status = responses with HTTP status >= 400 as counted by wrk itself (no per-response Lua hook, so the
-- client's own cost stays as low as for a plain wrk run).

function init(args)
   local path = args[1]
   if path ~= nil and path ~= "" then
      local f = assert(io.open(path, "rb"))
      local body = f:read("*a")
      f:close()
      wrk.method = "POST"
      wrk.body = body
      wrk.headers["Content-Type"] = "application/octet-stream"
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
      "p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f\n",
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
