dofile("bench/report.lua")
-- POST a ticket, each with its own Idempotency-Key. Set BENCH_SPREAD=city to spread the tickets over every
-- (office, procedure) line of the demo city, as a whole city on one node would; by default they all go to chuo,
-- whose lines then grow far past any real day. BENCH_SPREAD=line puts every ticket into one line, kita's
-- certificates (run before the city-wide workloads, which reach it too), to measure the cost of a long line.
local pairs_ = {}
local ward = {"certificates", "moving-in", "moving-out", "moving-within", "my-number-card", "family-register", "seal-other"}
local offices = {"chuo"}
if os.getenv("BENCH_SPREAD") == "city" then offices = {"chuo", "higashi", "nishi", "minami", "kita"} end
if os.getenv("BENCH_SPREAD") == "line" then
  table.insert(pairs_, {"kita", "certificates"})
else
  for _, o in ipairs(offices) do for _, s in ipairs(ward) do table.insert(pairs_, {o, s}) end end
end
if os.getenv("BENCH_SPREAD") == "city" then table.insert(pairs_, {"mynumber-center", "my-number-card"}) end
local counter = 0
local run_id = tostring(os.time()) .. (os.getenv("BENCH_SPREAD") or "chuo") .. (os.getenv("BENCH_NODE") or "")
local thread_id = 0
setup = function(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local p = pairs_[(counter % #pairs_) + 1]
  local body = '{"service":"' .. p[2] .. '","channel":"web"}'
  return wrk.format("POST", "/api/v1/offices/" .. p[1] .. "/tickets",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = "bench-" .. run_id .. "-" .. tostring(tid) .. "-" .. counter}, body)
end
