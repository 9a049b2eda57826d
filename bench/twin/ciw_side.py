"""Ciw's side of bench/twin-vs-ciw.sh: the same models as the twin's scenarios, run with Ciw 3.2.7.

Prints one JSON line per model: customers, seconds, and each replication's mean wait (minutes) of customers who
arrived before the cut-off, so that both engines are compared on the same customers."""
import json, sys, time
import ciw

def mmc(customers, reps, seed):
    # M/M/6 at rho = 0.9, times in minutes: services of 0.1 min, 54 arrivals a minute.
    lam, mu, servers = 54.0, 10.0, 6
    horizon = round(customers / lam)   # whole minutes, as the twin's scenario closes on a minute
    cut = 0.9 * horizon
    total, means, started = 0, [], time.time()
    for r in range(reps):
        ciw.seed(seed + r)
        net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(lam)],
                                 service_distributions=[ciw.dists.Exponential(mu)], number_of_servers=[servers])
        q = ciw.Simulation(net)
        q.simulate_until_max_time(horizon * 1.5)
        recs = q.get_all_records()
        total += len(recs)
        kept = [x.waiting_time for x in recs if x.arrival_date < cut]
        means.append(sum(kept) / len(kept))
    return total, time.time() - started, means

class Desks(ciw.Node):
    """Ciw's shift change replaces every server (busy ones finish off duty while fresh ones start), which adds
    capacity at each change. A counter office keeps its desks: the first `c` stay, the others close when free. This
    node does that, as the twin does, so that both engines run the same model."""

    def change_shift(self):
        self.schedule.get_next_shift()
        self.next_shift_change = self.schedule.next_shift_change_date
        self.c = self.schedule.c
        desks = sorted(self.servers, key=lambda s: s.id_number)
        for k, desk in enumerate(desks):
            desk.shift_end = self.next_event_date
            if k < self.c:
                desk.offduty = False
            elif desk.busy:
                desk.offduty = True
            else:
                self.kill_server(desk)
        self.add_new_servers(max(0, self.c - len(desks)))
        self.begin_service_if_possible_change_shift()


# The time-varying day: 9:00-16:30 as minutes 0-450, arrivals by hour, a roster by hour.
HOUR_ENDS = [60, 120, 180, 240, 300, 360, 420, 450]
RATES = [0.65, 0.80, 0.62, 0.45, 0.58, 0.58, 0.49, 0.40]   # per minute
SERVERS = [5, 7, 6, 4, 5, 5, 5, 5]

def varying(reps, seed):
    total, means, started = 0, [], time.time()
    for r in range(reps):
        ciw.seed(seed + r)
        net = ciw.create_network(
            arrival_distributions=[ciw.dists.PoissonIntervals(rates=RATES, endpoints=HOUR_ENDS, max_sample_date=450)],
            service_distributions=[ciw.dists.Exponential(1 / 8)],
            number_of_servers=[ciw.Schedule(numbers_of_servers=SERVERS, shift_end_dates=HOUR_ENDS)])
        q = ciw.Simulation(net, node_class=Desks)
        q.simulate_until_max_time(900)
        recs = q.get_all_records()
        total += len(recs)
        means.append(sum(x.waiting_time for x in recs) / len(recs))
    return total, time.time() - started, means

if __name__ == "__main__":
    model, reps, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if model == "varying":
        total, seconds, means = varying(reps, seed)
    else:
        total, seconds, means = mmc(int(model), reps, seed)
    print(json.dumps({"engine": "ciw", "visitors": total, "seconds": seconds, "dayMeanWaitMinutes": means}))
