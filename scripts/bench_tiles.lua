-- wrk script for scripts/bench_map.py: each wrk thread (one connection each: -t N -c N) fetches the tiles
-- listed in DIR/jobs-<thread>.txt, one line "path layer zoom" each, in order, once, and writes a line
-- "layer zoom status ms bytes" for each to DIR/times-<thread>.txt; when its list is done it writes
-- DIR/done-<thread> and stops. bench_map.py then ends wrk (SIGINT) and reads the times.
--
-- With one connection a thread, request() and response() alternate, so a request's time is from just
-- before wrk writes it to just after wrk has read the whole answer, by the monotonic clock (LuaJIT's FFI).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now = ffi.new("bench_timespec")

local function milliseconds()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
  return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
end

local threads = 0

function setup(thread)
  thread:set("number", threads)
  threads = threads + 1
end

function init(args)
  dir = args[1]
  jobs = {}
  for line in io.lines(dir .. "/jobs-" .. number .. ".txt") do
    local path, layer, zoom = line:match("^(%S+) (%S+) (%S+)$")
    jobs[#jobs + 1] = { path, layer, zoom }
  end
  out = io.open(dir .. "/times-" .. number .. ".txt", "w")
  done = 0
end

function request()
  -- After the list is done wrk may ask once more before it stops: the first tile again, not timed.
  current = jobs[done + 1] or jobs[1]
  started = milliseconds()
  return wrk.format("GET", current[1])
end

function response(status, headers, body)
  local elapsed = milliseconds() - started
  if done >= #jobs then
    return
  end
  out:write(current[2], " ", current[3], " ", status, " ", string.format("%.3f", elapsed), " ", #body, "\n")
  done = done + 1
  if done == #jobs then
    out:close()
    io.open(dir .. "/done-" .. number, "w"):close()
    wrk.thread:stop()
  end
end
