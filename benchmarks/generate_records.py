"""A seeded generator of realistic ITSM records for `itsmctl measure` (tickets, events, outages).

    python3 benchmarks/generate_records.py OUT --tickets 1000000 [--seed 7] [--start 2026-01-01]

What makes it realistic enough to exercise every path of measure:
- arrivals follow office rhythm: a rate per hour of day (peaks at 10:00 and 14:00 Berlin
  time) and per weekday (Monday busiest, weekends a fifth), drawn by thinning a Poisson process;
- priorities P1 2 %, P2 10 %, P3 48 %, P4 40 %; types incident 70 %, request 25 %, change 5 %;
- response and resolution times are log-normal around each priority's target, so roughly
  one ticket in ten breaches;
- a fifth of the tickets wait on the customer once (awaiting-customer or on-hold), 3 % are
  reopened after resolution, 0.5 % are still open at the end;
- outages: for each service one or two a month, a quarter partial, some planned inside the Sunday
  02:00-04:00 maintenance window;
- about three status events per ticket (1,000,000 tickets give about 3,000,000 events);
- both files are written in time order (tickets by opening, events by time), as ITSM tools
  export them. Same seed, same files.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
SERVICES = ("checkout", "storefront", "payments-api", "order-management", "customer-identity",
            "product-search", "inventory", "notifications", "legacy-erp", "data-warehouse",
            "kubernetes-platform", "postgres-platform", "observability", "loyalty-programme")
PRIORITIES = (("P1", 0.02), ("P2", 0.10), ("P3", 0.48), ("P4", 0.40))
TYPES = (("incident", 0.70), ("request", 0.25), ("change", 0.05))
# typical (median) response and resolution in minutes per priority, a little under target
RESPONSE = {"P1": 6, "P2": 13, "P3": 90, "P4": 420}
RESOLUTION = {"P1": 110, "P2": 220, "P3": 1700, "P4": 5800}
HOURLY = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 18, 14, 17, 19, 17, 14, 10, 7, 5, 4, 3, 2, 1)
WEEKDAY = (1.3, 1.1, 1.0, 1.0, 0.9, 0.25, 0.2)
CHANNELS = (("self-service", 0.45), ("email", 0.25), ("phone", 0.2), ("chat", 0.1))
PEAK = max(HOURLY) * max(WEEKDAY)


CHANGE_TYPES = (("standard", 0.6), ("normal", 0.32), ("emergency", 0.08))


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[-1][0]


def _iso(instant: float) -> str:
    return datetime.fromtimestamp(round(instant), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def arrivals(rng: random.Random, start: float, count: int, per_day: float) -> Iterator[float]:
    """Arrival instants by thinning: candidates at the peak rate, kept with rate/peak."""
    peak_rate = per_day / 86400 * PEAK / (sum(HOURLY) / 24 * sum(WEEKDAY) / 7)
    now, made = start, 0
    while made < count:
        now += rng.expovariate(peak_rate)
        local = datetime.fromtimestamp(now, BERLIN)
        if rng.random() * PEAK < HOURLY[local.hour] * WEEKDAY[local.weekday()]:
            made += 1
            yield now


def write(out: Path, tickets: int, seed: int, start: datetime, per_day: float) -> None:
    rng = random.Random(seed)
    # change types from a stream of their own: adding them left every other figure as it was
    change_types = random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    events: list[tuple[float, int, str, str]] = []  # a heap: flushed in time order
    seq = 0
    last = start.timestamp()
    with (out / "tickets.csv").open("w", newline="") as t_file, \
            (out / "events.csv").open("w", newline="") as e_file:
        tw, ew = csv.writer(t_file, lineterminator="\n"), csv.writer(e_file, lineterminator="\n")
        tw.writerow(("id", "type", "service", "priority", "opened_at", "responded_at",
                     "resolved_at", "closed_at", "channel", "first_contact", "reopened", "csat",
                     "lzs", "outcome", "cost", "change_type"))
        ew.writerow(("id", "at", "status"))
        for number, opened in enumerate(arrivals(rng, start.timestamp(), tickets, per_day)):
            while events and events[0][0] <= opened:  # everything before this opening
                at, _, ident, status = heapq.heappop(events)
                ew.writerow((ident, _iso(at), status))
            ident = f"INC{number + 1:08d}"
            kind = _pick(rng, TYPES)
            priority = _pick(rng, PRIORITIES)
            service = SERVICES[min(int(rng.paretovariate(1.2)) - 1, len(SERVICES) - 1)]
            responded = opened + 60 * rng.lognormvariate(math.log(RESPONSE[priority]), 0.55)
            resolved = responded + 60 * rng.lognormvariate(math.log(RESOLUTION[priority]), 0.5)
            history = [(responded, "in-progress")]  # the opening is the ticket row
            if rng.random() < 0.2:  # waits on the customer once
                pause = rng.uniform(responded, resolved)
                length = 60 * rng.lognormvariate(math.log(240), 1.0)
                history += [(pause, rng.choice(("awaiting-customer", "on-hold"))),
                            (pause + length, "in-progress")]
                resolved += length
            history.append((resolved, "resolved"))
            reopened = 0
            if rng.random() < 0.03:
                back = resolved + 60 * rng.uniform(30, 2880)
                resolved = back + 60 * rng.lognormvariate(math.log(RESOLUTION[priority] / 3),
                                                          0.6)
                history += [(back, "in-progress"), (resolved, "resolved")]
                reopened = 1
            still_open = rng.random() < 0.005
            closed = resolved + 3 * 86400
            if still_open:
                history = history[:1]
            elif rng.random() < 0.55:  # not every tool logs the closure as a state change
                history.append((closed, "closed"))
            for at, status in history:
                seq += 1
                heapq.heappush(events, (at, seq, ident, status))
            last = max(last, opened)
            outcome = (rng.choice(("successful",) * 9 + ("failed", "rolled-back"))
                       if kind == "change" else "")
            tw.writerow((
                ident, kind, service, priority, _iso(opened), _iso(responded),
                "" if still_open else _iso(resolved), "" if still_open else _iso(closed),
                _pick(rng, CHANNELS), "true" if rng.random() < 0.7 else "false", reopened,
                "" if still_open or rng.random() < 0.7 else rng.choice((3, 4, 4, 5, 5)),
                "true" if rng.random() < 0.12 else "false", outcome,
                f"{rng.lognormvariate(math.log(22), 0.5):.2f}",
                _pick(change_types, CHANGE_TYPES) if kind == "change" else ""))
        while events:
            at, _, ident, status = heapq.heappop(events)
            ew.writerow((ident, _iso(at), status))
    _outages(rng, out / "outages.csv", start.timestamp(), last + 30 * 86400)


def _outages(rng: random.Random, path: Path, start: float, end: float) -> None:
    rows = []
    for service in SERVICES:
        now = start
        while True:
            now += rng.expovariate(1.5 / (30 * 86400))  # one or two a month
            if now >= end:
                break
            minutes = rng.lognormvariate(math.log(6), 1.0)
            partial = rng.random() < 0.25
            rows.append((service, now, now + 60 * minutes, "partial" if partial else "full",
                         f"{rng.choice((0.1, 0.25, 0.5)):g}" if partial else "", "false"))
        day = datetime.fromtimestamp(start, BERLIN).date()
        while True:  # a planned patch window once a month, Sunday 02:00-03:30 Berlin
            day += timedelta(days=28 + rng.randint(0, 6))
            sunday = day + timedelta(days=(6 - day.weekday()) % 7)
            begin = datetime(sunday.year, sunday.month, sunday.day, 2, tzinfo=BERLIN).timestamp()
            if begin >= end:
                break
            rows.append((service, begin, begin + 90 * 60, "full", "", "true"))
    rows.sort(key=lambda r: (r[1], r[0]))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("service", "start", "end", "impact", "weight", "planned"))
        for service, a, b, impact, weight, planned in rows:
            writer.writerow((service, _iso(a), _iso(b), impact, weight, planned))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default="2026-01-01")
    parser.add_argument("--per-day", type=float, default=0.0,
                        help="average tickets a day (default: the tickets over one year)")
    args = parser.parse_args()
    start = datetime.fromisoformat(args.start).replace(tzinfo=BERLIN)
    write(args.out, args.tickets, args.seed, start, args.per_day or args.tickets / 365)


if __name__ == "__main__":
    main()
