-- The refresh_token grant with rotation: every wrk thread owns one connection and one refresh
-- token chain (its own grant), and each answer's new refresh_token is the next request's. The
-- starting tokens come from REFRESH_TOKENS (comma-separated, one per thread); REFRESH_CLIENT is
-- the public client's id. done() prints the WRKJSON line of ../shared/peers/wrk/req.lua.
local tokens = {}
for t in string.gmatch(os.getenv("REFRESH_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = t
end
local client = os.getenv("REFRESH_CLIENT") or ""
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("rt", tokens[threads])
end

local rt, headers = nil, nil
init = function(args)
  rt = wrk.thread:get("rt")
  headers = {["Content-Type"] = "application/x-www-form-urlencoded",
             ["Host"] = wrk.headers["Host"] or wrk.host}
end
request = function()
  return wrk.format("POST", "/token", headers,
                    "grant_type=refresh_token&client_id=" .. client .. "&refresh_token=" .. rt)
end
response = function(status, hdrs, body)
  local next_rt = string.match(body, '"refresh_token":"([^"]+)"')
  if status == 200 and next_rt then rt = next_rt end
end
