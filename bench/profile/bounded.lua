-- wrk script for bench/profile/profile.sh: wrk-report.lua's BENCH line, and a bound on the number of requests.
--   wrk ... -s bounded.lua URL -- BODYFILE MAX      POST the bytes of BODYFILE to URL, at most MAX requests
--   wrk ... -s bounded.lua URL -- "" MAX            GET URL, at most MAX requests
--   wrk ... -s bounded.lua URL -- BODYFILE MAX TYPE POST with Content-Type TYPE (default application/octet-stream)
-- The bound is per wrk thread (run it with -t1); wrk's -d bounds the time. The request is formatted once; request()
-- only counts, so the client stays cheap.

local max = 0
local sent = 0
local req = nil

function init(args)
   local path = args[1]
   max = tonumber(args[2] or "0") or 0
   if path ~= nil and path ~= "" then
      local f = assert(io.open(path, "rb"))
      local body = f:read("*a")
      f:close()
      wrk.method = "POST"
      wrk.body = body
      wrk.headers["Content-Type"] = args[3] or "application/octet-stream"
   end
   req = wrk.format()
end

function request()
   sent = sent + 1
   if max > 0 and sent > max then
      wrk.thread:stop()
   end
   return req
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
