# Sourced by the benchmark scripts. seed_chuo20 BIN DB PORT WORK: the demo city in DB, with chuo given 20 counters
# k1..k20 that serve every procedure (bench/chuo20.py); prints a staff token for chuo.
seed_chuo20() {
  local bin=$1 db=$2 port=$3 work=$4 pid
  "$bin" serve --db "$db" --port "$port" --demo >"$work/seed.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.1; done
  kill -TERM $pid; wait $pid || true
  python3 bench/chuo20.py "$work/chuo.yaml"
  "$bin" import --db "$db" "$work/chuo.yaml" 2>/dev/null >&2
  "$bin" token create --db "$db" --role staff --office chuo --name bench
}

# wait_idle PID: until the process used under a tenth of a core over a second (the server learns from its history
# when it starts), at most two minutes.
wait_idle() {
  local pid=$1 before after i
  for i in $(seq 1 120); do
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep 1
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    [ $((after - before)) -lt 10 ] && return 0
  done
}
