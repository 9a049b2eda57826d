dofile("bench/report.lua")
-- Run with as many threads as connections (-t20 -c20): each wrk thread is then one console with its own counter
-- (k1..k20), alternating call-next and complete, one request in flight, as a clerk would.
-- BENCH_COUNTER_BASE offsets the counters (k11..k20 for a second node's consoles).
local next_id = 1 + tonumber(os.getenv("BENCH_COUNTER_BASE") or "0")
setup = function(thread)
  thread:set("counter", "k" .. next_id)
  next_id = next_id + 1
end
local token = os.getenv("BENCH_TOKEN")
local step = 0
request = function()
  step = step + 1
  local action = (step % 2 == 1) and "call-next" or "complete"
  return wrk.format("POST", "/api/v1/offices/chuo/counters/" .. counter .. "/" .. action, {["Authorization"] = "Bearer " .. token})
end
