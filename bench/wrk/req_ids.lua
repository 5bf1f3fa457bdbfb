-- ../shared/peers/wrk/req.lua's contract (WRK_METHOD, WRK_PATH, WRK_BODY, WRK_HEADERS, the
-- WRKJSON line), for bodies with __ID__: every request gets a unique JSON-RPC id, as a real MCP
-- client sharing one session sends, without req.lua's gsub and wrk.format per request. The
-- request is formatted once around a 10-digit placeholder; each request is prefix .. id ..
-- suffix, the id tid * 1e9 + n (the same ids req.lua sends; 10 digits while n < 1e9, so the
-- Content-Length formatted once stays right). At 30-50k req/s, req.lua's per-request Lua kept
-- wrk's core busy and capped the rate of both servers alike (bench/README.md).
local method = os.getenv("WRK_METHOD") or "GET"
local path = os.getenv("WRK_PATH") or "/"
local body = os.getenv("WRK_BODY") or ""
local headers = {}
for h in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^|]+") do
  local k, v = string.match(h, "^%s*([^:]+):%s*(.*)$")
  if k then headers[k] = v end
end
local PLACEHOLDER = "1000000000"
local threads, tid, n, prefix, suffix = 0, 1, 0, nil, nil
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args)
  if not headers["Host"] then headers["Host"] = wrk.headers["Host"] or wrk.host end
  tid = (wrk.thread and wrk.thread:get("tid")) or 1
  local s, e = string.find(body, "__ID__", 1, true)
  assert(s, "req_ids.lua: WRK_BODY has no __ID__")
  local req = wrk.format(method, path, headers, body:sub(1, s - 1) .. PLACEHOLDER .. body:sub(e + 1))
  local at = string.find(req, PLACEHOLDER, #req - (#body + 4) + 1, true)
  prefix, suffix = req:sub(1, at - 1), req:sub(at + #PLACEHOLDER)
end
request = function()
  n = n + 1
  return prefix .. (tid * 1000000000 + n) .. suffix
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"rps":%.1f,"lat_mean_us":%.1f,"lat_p50_us":%d,"lat_p90_us":%d,"lat_p99_us":%d,"lat_max_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.requests / (summary.duration / 1e6),
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
