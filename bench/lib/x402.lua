-- wrk script for bench/run. Configured through environment variables (wrk passes no flags to
-- scripts before init, and the run script sets these per measurement):
--   X402_METHOD       GET (default) or POST
--   X402_BODY_FILE    a file whose whole content is the body of every request (POST /verify)
--   X402_LINES        a file with one item per line, each used by exactly one request: the items
--                     are split between the wrk threads (line i goes to thread i mod threads)
--   X402_LINE_AS      "body" (the line is the POST body) or a header name (e.g. PAYMENT-SIGNATURE)
--   X402_THREADS      the -t value (for the split)
--   X402_EXPECT       expected status code (default 200)
--   X402_EXPECT_BODY  a substring a good response body must contain (e.g. "success":true)
--   X402_HASHES       capture up to N "transaction":"0x…" values per thread (for gas readings)
-- A thread that runs out of items starts over and counts every later answer as bad ("exhausted"
-- tells how often): bench/run sizes the files so that this does not happen.
-- done() prints one JSON line on stdout:
--   {"requests","duration_us","ok","bad","statuses":{…},"exhausted","errors":{…},"p50_us","p90_us",
--    "p99_us","mean_us","ok_per_s","hashes":[…]}
local method = os.getenv("X402_METHOD") or "GET"
local body_file = os.getenv("X402_BODY_FILE")
local lines_file = os.getenv("X402_LINES")
local line_as = os.getenv("X402_LINE_AS") or "body"
local nthreads = tonumber(os.getenv("X402_THREADS") or "1")
local expect = tonumber(os.getenv("X402_EXPECT") or "200")
local expect_body = os.getenv("X402_EXPECT_BODY")
if expect_body == "" then expect_body = nil end
local want_hashes = tonumber(os.getenv("X402_HASHES") or "0")

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function read_all(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local items = {}
local next_item = 1
local fixed_request = nil

ok = 0
bad = 0
exhausted = 0
statuses = ""
hashes = ""
local status_count = {}
local nhashes = 0

function init(args)
  local headers = {}
  if method == "POST" then headers["Content-Type"] = "application/json" end
  if lines_file then
    local i = 0
    for line in io.lines(lines_file) do
      if line ~= "" then
        if i % nthreads == id then table.insert(items, line) end
        i = i + 1
      end
    end
    if #items == 0 then error("x402.lua: no items for thread " .. id) end
  else
    local body = nil
    if body_file then body = read_all(body_file) end
    fixed_request = wrk.format(method, nil, headers, body)
  end
end

function request()
  if fixed_request then return fixed_request end
  local item = items[next_item]
  next_item = next_item + 1
  if next_item > #items then
    next_item = 1
    exhausted = exhausted + 1
  end
  local headers = {}
  if line_as == "body" then
    headers["Content-Type"] = "application/json"
    return wrk.format(method, nil, headers, item)
  end
  headers[line_as] = item
  return wrk.format(method, nil, headers, nil)
end

function response(status, headers, body)
  status_count[status] = (status_count[status] or 0) + 1
  -- Once this thread has run out of distinct items, answers may be replays (a facilitator may
  -- answer a repeated settlement from its ledger): none of them count as good.
  local good = status == expect and exhausted == 0
  if good and expect_body and not string.find(body, expect_body, 1, true) then good = false end
  if good then ok = ok + 1 else bad = bad + 1 end
  if good and nhashes < want_hashes then
    local h = string.match(body, '"transaction":"(0x%x+)"')
    if h then
      hashes = hashes .. h .. ","
      nhashes = nhashes + 1
    end
  end
  local parts = {}
  for k, v in pairs(status_count) do table.insert(parts, '"' .. k .. '":' .. v) end
  statuses = table.concat(parts, ",")
end

function done(summary, latency, requests)
  local total_ok, total_bad, total_exhausted = 0, 0, 0
  local all_status = {}
  local all_hashes = {}
  for _, t in ipairs(threads) do
    total_ok = total_ok + (t:get("ok") or 0)
    total_bad = total_bad + (t:get("bad") or 0)
    total_exhausted = total_exhausted + (t:get("exhausted") or 0)
    local s = t:get("statuses") or ""
    for k, v in string.gmatch(s, '"(%d+)":(%d+)') do
      all_status[k] = (all_status[k] or 0) + tonumber(v)
    end
    local hs = t:get("hashes") or ""
    for h in string.gmatch(hs, "(0x%x+)") do table.insert(all_hashes, '"' .. h .. '"') end
  end
  local sp = {}
  for k, v in pairs(all_status) do table.insert(sp, '"' .. k .. '":' .. v) end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"ok":%d,"bad":%d,"statuses":{%s},"exhausted":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"ok_per_s":%.2f,"hashes":[%s]}\n',
    summary.requests, summary.duration, total_ok, total_bad, table.concat(sp, ","), total_exhausted,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    total_ok / secs, table.concat(all_hashes, ",")))
end
