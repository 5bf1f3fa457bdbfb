-- The authorization-code flow, one connection after another: GET CODE_AUTHORIZE (an /authorize
-- URL whose user is signed in, by CODE_COOKIE, and whose consent is on record, so it answers 302
-- to the client with a code), then POST /token exchanging that code (CODE_TOKEN_BODY is the
-- form without `code=`, which is appended). With CODE_MODE=authorize only the first request is
-- sent, again and again: its cost is subtracted from the pair's (bench/token_endpoint.py).
local authorize = os.getenv("CODE_AUTHORIZE")
local cookie = os.getenv("CODE_COOKIE") or ""
local token_body = os.getenv("CODE_TOKEN_BODY") or ""
local pair = (os.getenv("CODE_MODE") or "pair") == "pair"
local code, aheaders, theaders = nil, nil, nil

init = function(args)
  local host = wrk.headers["Host"] or wrk.host
  aheaders = {["Host"] = host}
  if cookie ~= "" then aheaders["Cookie"] = cookie end
  theaders = {["Host"] = host, ["Content-Type"] = "application/x-www-form-urlencoded"}
end

request = function()
  if code then
    local c = code
    code = nil
    return wrk.format("POST", "/token", theaders, token_body .. "&code=" .. c)
  end
  return wrk.format("GET", authorize, aheaders)
end

response = function(status, headers, body)
  if pair and status == 302 then
    local location = headers["Location"] or headers["location"] or ""
    code = string.match(location, "[?&]code=([^&]+)")
  end
end
