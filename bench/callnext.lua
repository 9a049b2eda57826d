dofile("bench/report.lua")
-- Run with as many threads as connections (-t20 -c20): each wrk thread is then one console with its own counter
-- (k1..k20), one request in flight, as a clerk would: call-next, and after a call complete, then call-next again.
-- The next action follows the last answer, not a count of requests: wrk calls request() once on its first thread
-- before the run (script_verify_request, to count pipelined requests), so a count made that console start with a
-- complete and get the run's one 409 (no_current_ticket). A 204 (nobody waiting) is followed by call-next again; a
-- 409 to call-next (counter_busy: a ticket left called by an earlier run on the same counters) by complete.
-- BENCH_COUNTER_BASE offsets the counters (k11..k20 for a second node's consoles).
local next_id = 1 + tonumber(os.getenv("BENCH_COUNTER_BASE") or "0")
setup = function(thread)
  thread:set("counter", "k" .. next_id)
  next_id = next_id + 1
end
local token = os.getenv("BENCH_TOKEN")
local action = "call-next"
request = function()
  return wrk.format("POST", "/api/v1/offices/chuo/counters/" .. counter .. "/" .. action, {["Authorization"] = "Bearer " .. token})
end
response = function(status)
  if action == "call-next" then
    if status == 200 or status == 409 then action = "complete" end
  else
    action = "call-next"
  end
end
