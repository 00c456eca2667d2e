"""madoguchi bench staffing — the recommended roster against a flat schedule and the exact optimum.

Workload: the shape of ../shared/benchmarks/queues (Warsaw city offices' hourly counts of residents
called, per weekday and hour, averaged per office and day), read at run time and scaled to
`--visits` residents on an average weekday; service minutes: the offices' stated minutes per resident
weighted by the counts, lognormal with CV `--service-cv`; a share booked (with no-shows and
punctuality noise), the rest walk-ins; exponential patience. Target: 90 % called within 15 minutes
in every half-hour.

For each weekday:
- recommended: Erlang A per half-hour → roster MILP → simulation → raise failing half-hours → …;
- flat: the same staff-hours as the same number of windows all day (the p90 wait it gives), and the
  fewest constant windows that meet the target (its staff-hours: `vs_flat` = recommended / that);
- exact: the per-half-hour windows where no half-hour can lose one (descent by simulation with the
  same residents), then the proven-optimal roster MILP over them (`vs_exact` = recommended / that).
Then the what-ifs (a window more on Thursday 9–12, 20 % of walk-ins booking, closing at 16:30).

The p90 wait, the share within target and the failing half-hours are from fresh replications
(another seed, `--check-replications`), not the ones the rosters were tuned on.
Last line: p90_wait_min=… staff_hours=… vs_flat=… vs_exact=…
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gzip
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from madoguchi.insights.staffing.roster import (
    minimal_requirements,
    recommend_roster,
    roster_meeting_target,
)
from madoguchi.insights.staffing.simulation import Day, ServiceTime, Target, simulate_day
from madoguchi.insights.staffing.workload import (
    close_earlier,
    day_from_hourly,
    move_to_bookings,
    with_extra_windows,
)


def shared_dir() -> Path:
    """MADOGUCHI_SHARED_DIR, default ../shared beside the repository (as bench/faq.py)."""
    override = os.environ.get("MADOGUCHI_SHARED_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared"


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]


def read_shape(path: Path) -> tuple[dict[int, dict[int, float]], float]:
    """Mean residents called per office-day by weekday and hour, and the count-weighted service minutes."""
    served: dict[tuple[int, int], float] = defaultdict(float)
    dates: dict[int, set[str]] = defaultdict(set)
    offices: set[str] = set()
    minutes_weighted = 0.0
    total = 0.0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            weekday = datetime.date.fromisoformat(row["date"]).weekday()
            if weekday > 4:
                continue
            count = float(row["served_est"] or 0)
            served[(weekday, int(row["hour"]))] += count
            dates[weekday].add(row["date"])
            offices.add(row["name"])
            minutes_weighted += count * float(row["approx_service_min"] or 0)
            total += count
    shape: dict[int, dict[int, float]] = {}
    for weekday in range(5):
        days = max(1, len(dates[weekday])) * max(1, len(offices))
        shape[weekday] = {h: v / days for (w, h), v in served.items() if w == weekday}
    return shape, minutes_weighted / total


def opening_hours(hourly: dict[int, float]) -> tuple[int, int]:
    """Hours carrying at least 1 % of the day's residents (drops stray counts before or after)."""
    total = sum(hourly.values())
    hours = sorted(h for h, v in hourly.items() if v >= 0.01 * total)
    return hours[0], hours[-1] + 1


def flat_windows(hours: float, day: Day) -> list[int]:
    """The same staff-hours as constant windows, the remainder half-hours spread evenly."""
    slots = round(hours * 60 / day.slot_minutes)
    base, extra = divmod(slots, day.n_slots)
    windows = [base] * day.n_slots
    for k in range(extra):
        windows[int((k + 0.5) * day.n_slots / extra)] += 1
    return windows


def meets(day: Day, windows: list[int], target: Target, reps: int, seed: int) -> bool:
    result = simulate_day(day, windows, target=target, replications=reps, seed=seed)
    return not result.failing_slots(target.share)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench staffing", description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=None, help="the hourly CSV (default: the shared queues data)"
    )
    parser.add_argument(
        "--visits", type=float, default=240.0, help="residents on an average weekday"
    )
    parser.add_argument("--service-cv", type=float, default=0.8)
    parser.add_argument("--booked-share", type=float, default=0.2)
    parser.add_argument("--no-show", type=float, default=0.1)
    parser.add_argument("--patience", type=float, default=45.0, help="mean patience, minutes")
    parser.add_argument("--target-minutes", type=float, default=15.0)
    parser.add_argument("--target-share", type=float, default=0.9)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument(
        "--check-replications", type=int, default=100, help="fresh replications for the figures"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.data is None:
        args.data = shared_dir() / "benchmarks" / "queues" / "warsaw_queues_hourly.csv.gz"
    if not args.data.is_file():
        print(f"bench staffing: data not found: {args.data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    target = Target(args.target_minutes, args.target_share)
    shape, service_minutes = read_shape(args.data)
    average = np.mean([sum(h.values()) for h in shape.values()])
    scale = args.visits / average
    service = ServiceTime(service_minutes, cv=args.service_cv)
    print(
        f"workload: {args.data.name}, scaled to {args.visits:.0f} residents on an average weekday; "
        f"service {service_minutes:.1f} min (lognormal, CV {args.service_cv}); "
        f"{args.booked_share:.0%} booked, {args.no_show:.0%} no-shows; patience {args.patience:.0f} min; "
        f"target {target.share:.0%} within {target.minutes:.0f} min in every half-hour"
    )
    reps, seed, eval_seed = args.replications, args.seed, args.seed + 1000
    checks = args.check_replications
    totals: dict[str, float] = defaultdict(float)
    evaluation_waits: list[np.ndarray] = []
    flat_waits: list[np.ndarray] = []
    failing = {"recommended": 0, "flat": 0}
    evaluation_within: list[float] = []
    days: dict[int, Day] = {}
    recommended: dict[int, list[int]] = {}
    recommended_hours: dict[int, float] = {}
    for weekday in range(5):
        hourly = {h: v * scale for h, v in shape[weekday].items()}
        opens, closes = opening_hours(hourly)
        day = day_from_hourly(
            hourly,
            opens_hour=opens,
            closes_hour=closes,
            service=service,
            booked_share=args.booked_share,
            no_show=args.no_show,
            punctuality_mean=-3.0,
            punctuality_sd=5.0,
            mean_patience=args.patience,
        )
        days[weekday] = day
        rec = recommend_roster(day, target, replications=reps, seed=seed)
        recommended[weekday] = list(rec.roster.coverage)
        recommended_hours[weekday] = rec.roster.staff_hours
        check = simulate_day(
            day, rec.roster.coverage, target=target, replications=checks, seed=eval_seed
        )
        evaluation_waits.append(check.waits)
        evaluation_within.append(check.share_within.mean)
        failing["recommended"] += len(check.failing_slots(target.share))
        hours = rec.roster.staff_hours
        # Flat: the same hours all day; and the fewest constant windows that meet the target.
        flat_same = simulate_day(
            day, flat_windows(hours, day), target=target, replications=checks, seed=eval_seed
        )
        level = max(rec.erlang)
        while not meets(day, [level] * day.n_slots, target, reps, seed):
            level += 1
        while level > 1 and meets(day, [level - 1] * day.n_slots, target, reps, seed):
            level -= 1
        flat_waits.append(flat_same.waits)
        failing["flat"] += len(flat_same.failing_slots(target.share))
        flat_hours = level * day.n_slots * day.slot_minutes / 60
        # Exact: minimal per-slot windows by simulation, then the optimal roster over them.
        minimal = minimal_requirements(
            day, target, rec.roster.coverage, replications=reps, seed=seed
        )
        exact, exact_result, _ = roster_meeting_target(
            day, target, minimal, replications=reps, seed=seed
        )
        exact_ok = not exact_result.failing_slots(target.share)
        totals["hours"] += hours
        totals["flat"] += flat_hours
        totals["exact"] += exact.staff_hours
        print(
            f"{WEEKDAYS[weekday]} {opens:02d}-{closes:02d}h arrivals={check.arrivals:.0f} "
            f"erlang={rec.erlang} roster={list(rec.roster.coverage)} rounds={rec.rounds} "
            f"met={rec.meets_target} staff_hours={hours:.1f} staff={rec.roster.staff} "
            f"p90={check.wait_p90:.1f}min within={check.share_within} "
            f"abandon={check.abandonment.mean:.3f} util={check.utilisation.mean:.2f} | "
            f"flat_same_hours p90={flat_same.wait_p90:.1f}min within={flat_same.share_within.mean:.3f} "
            f"failing_half_hours={len(flat_same.failing_slots(target.share))} | "
            f"flat_meeting={level}x{flat_hours:.1f}h | exact={list(exact.coverage)} "
            f"{exact.staff_hours:.1f}h met={exact_ok}",
            flush=True,
        )
        for shift, count in rec.roster.shifts:
            print(f"    {count} × {shift.describe(day)}")
    # What-ifs on the recommended rosters, simulated with the evaluation seed.
    thursday = days[3]
    base = simulate_day(
        thursday, recommended[3], target=target, replications=checks, seed=eval_seed
    )
    morning = range(
        (9 * 60 - thursday.opens_at) // thursday.slot_minutes,
        (12 * 60 - thursday.opens_at) // thursday.slot_minutes,
    )
    plus = simulate_day(
        thursday,
        with_extra_windows(recommended[3], morning),
        target=target,
        replications=reps,
        seed=eval_seed,
    )
    print(
        f"what-if Thu +1 window 09:00-12:00: p90 {base.wait_p90:.1f} → {plus.wait_p90:.1f} min, "
        f"within {base.share_within.mean:.3f} → {plus.share_within.mean:.3f}"
    )
    for weekday in range(5):
        booked = move_to_bookings(days[weekday], 0.2)
        before = simulate_day(
            days[weekday], recommended[weekday], target=target, replications=checks, seed=eval_seed
        )
        after = simulate_day(
            booked, recommended[weekday], target=target, replications=checks, seed=eval_seed
        )
        print(
            f"what-if {WEEKDAYS[weekday]} 20% of walk-ins book (same roster): p90 "
            f"{before.wait_p90:.1f} → {after.wait_p90:.1f} min, mean wait {before.mean_wait.mean:.1f} → "
            f"{after.mean_wait.mean:.1f} min"
        )
    monday = days[0]
    early = close_earlier(monday, 16 * 60 + 30)
    if early.n_slots < monday.n_slots:
        kept = recommended[0][: early.n_slots]
        same = simulate_day(early, kept, target=target, replications=checks, seed=eval_seed)
        again = recommend_roster(early, target, replications=reps, seed=seed)
        print(
            f"what-if Mon closes 16:30 (30% of later demand to convenience-store issuance, 70% earlier "
            f"the same day): roster cut at 16:30 p90 {same.wait_p90:.1f} min within "
            f"{same.share_within.mean:.3f}; re-planned {again.roster.staff_hours:.1f} h "
            f"(was {recommended_hours[0]:.1f} h) p90 {again.result.wait_p90:.1f} min"
        )
    waits = np.concatenate(evaluation_waits)
    p90 = float(np.percentile(waits, 90))
    within = float(np.mean(evaluation_within))
    print(
        f"week: staff_hours={totals['hours']:.1f} flat_meeting={totals['flat']:.1f} "
        f"exact={totals['exact']:.1f} within_target={within:.3f} "
        f"failing_half_hours={failing['recommended']} (fresh seed) | flat, same hours: "
        f"p90={np.percentile(np.concatenate(flat_waits), 90):.1f}min "
        f"failing_half_hours={failing['flat']} | elapsed={time.perf_counter() - started:.0f}s"
    )
    print(
        f"p90_wait_min={p90:.1f} staff_hours={totals['hours']:.1f} "
        f"vs_flat={totals['hours'] / totals['flat']:.3f} vs_exact={totals['hours'] / totals['exact']:.3f}"
    )
    return 0 if math.isfinite(p90) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
