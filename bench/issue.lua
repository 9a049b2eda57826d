dofile("bench/report.lua")
-- POST a ticket; each request its own Idempotency-Key, spread over the demo procedures.
local services = {"certificates", "moving-in", "moving-out", "moving-within", "my-number-card", "family-register", "seal-other"}
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local body = '{"service":"' .. services[(counter % #services) + 1] .. '","channel":"kiosk"}'
  return wrk.format("POST", "/api/v1/offices/chuo/tickets",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = "bench-" .. tostring(tid) .. "-" .. counter}, body)
end
