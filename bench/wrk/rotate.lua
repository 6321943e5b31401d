-- wrk script: each request is the next line of the file named by BENCH_REQUESTS, so that
-- every request can come from a different member (cookie, CSRF token) and target.
-- A line is: METHOD <TAB> PATH <TAB> HEADERS <TAB> BODY, headers as "Name: value" joined
-- by the unit separator (\31). Thread k of BENCH_THREADS takes lines k, k+T, k+2T, ...
-- Every response's status is counted; done() prints one JSON line prefixed "BENCH_JSON ".

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local requests = {}
local position = 0
local step = 1
statuses = {}

local function split(text, separator)
  local parts = {}
  for part in (text .. separator):gmatch("(.-)" .. separator) do
    table.insert(parts, part)
  end
  return parts
end

function init(args)
  step = tonumber(os.getenv("BENCH_THREADS") or "1")
  position = id or 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local fields = split(line, "\t")
    local headers = {}
    if fields[3] and fields[3] ~= "" then
      for _, header in ipairs(split(fields[3], "\31")) do
        local name, value = header:match("^([^:]+):%s*(.*)$")
        headers[name] = value
      end
    end
    local body = fields[4]
    if body == "" then body = nil end
    table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
  end
end

function request()
  local r = requests[position % #requests + 1]
  position = position + step
  return r
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, n in pairs(seen) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}, ' ..
    '"statuses": {%s}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, table.concat(parts, ", ")))
end
