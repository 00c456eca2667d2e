"""Rosters: shifts covering the windows needed per half-hour with the fewest staff-hours.

The integer program (solved by HiGHS through `scipy.optimize.milp`):
    minimise   Σₖ hoursₖ · xₖ                     (staff-hours at the windows; breaks unpaid here)
    subject to Σₖ coversₖ,ₛ · xₖ ≥ requiredₛ       for every half-hour s
               xₖ ∈ {0, 1, 2, …}                 (how many staff work shift k)
A shift k is a start half-hour, a length (3–8 hours by default, in half-hours, inside opening
hours) and, for shifts longer than 6 hours, a one-hour break placed at any half-hour at least two
hours from either end (労働基準法 第34条: more than 6 hours of work need 45 minutes of rest, more
than 8 hours an hour; the rule is a parameter).

`recommend_roster` builds the requirement from Erlang A (or C) per half-hour, solves, simulates the
roster, raises the requirement in the half-hours that miss the target and solves again, until the
simulation meets the target or the round bound is reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .erlang import agents_needed
from .simulation import Day, DayResult, Target, simulate_day


@dataclass(frozen=True)
class ShiftRules:
    min_hours: float = 3.0
    max_hours: float = 8.0
    break_over_hours: float = 6.0  # shifts longer than this include a break
    break_minutes: int = 60
    break_margin_hours: float = (
        2.0  # the break starts at least this long after start and before end
    )


@dataclass(frozen=True)
class Shift:
    start: int  # slot
    length: int  # slots, break included
    break_start: int | None = None  # slot
    break_length: int = 0  # slots

    def covers(self, slot: int) -> bool:
        if not self.start <= slot < self.start + self.length:
            return False
        on_break = self.break_start is not None and (
            self.break_start <= slot < self.break_start + self.break_length
        )
        return not on_break

    @property
    def working_slots(self) -> int:
        return self.length - self.break_length

    def describe(self, day: Day) -> str:
        end = (
            day.slot_label(self.start + self.length)
            if self.start + self.length < day.n_slots
            else None
        )
        if end is None:
            minutes = day.opens_at + (self.start + self.length) * day.slot_minutes
            end = f"{minutes // 60:02d}:{minutes % 60:02d}"
        text = f"{day.slot_label(self.start)}–{end}"
        if self.break_start is not None:
            text += f" (break {day.slot_label(self.break_start)})"
        return text


def shift_catalogue(n_slots: int, rules: ShiftRules, slot_minutes: int = 30) -> list[Shift]:
    """Every allowed shift inside a day of `n_slots` half-hours."""
    per_hour = 60 / slot_minutes
    shortest = max(1, round(rules.min_hours * per_hour))
    longest = round(rules.max_hours * per_hour)
    if n_slots < shortest:
        shortest = n_slots  # a short opening day: one shift covers it all
    break_slots = max(1, round(rules.break_minutes / slot_minutes))
    margin = round(rules.break_margin_hours * per_hour)
    shifts: list[Shift] = []
    for length in range(shortest, min(longest, n_slots) + 1):
        needs_break = length / per_hour > rules.break_over_hours
        for start in range(0, n_slots - length + 1):
            if not needs_break:
                shifts.append(Shift(start, length))
                continue
            for break_start in range(start + margin, start + length - margin - break_slots + 1):
                shifts.append(Shift(start, length, break_start, break_slots))
    return shifts


@dataclass(frozen=True)
class Roster:
    day: Day
    shifts: tuple[tuple[Shift, int], ...]  # (shift, staff on it)
    coverage: tuple[int, ...]  # windows open per slot
    required: tuple[int, ...]

    @property
    def staff_hours(self) -> float:
        minutes = sum(s.working_slots * n for s, n in self.shifts) * self.day.slot_minutes
        return minutes / 60

    @property
    def staff(self) -> int:
        return sum(n for _, n in self.shifts)


def solve_roster(day: Day, required: Sequence[int], rules: ShiftRules | None = None) -> Roster:
    """The fewest staff-hours whose shifts open at least `required[s]` windows in every slot."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    rules = rules or ShiftRules()
    required = [int(r) for r in required]
    if len(required) != day.n_slots:
        raise ValueError("one requirement per slot")
    shifts = shift_catalogue(day.n_slots, rules, day.slot_minutes)
    cover = np.array(
        [[1.0 if s.covers(slot) else 0.0 for s in shifts] for slot in range(day.n_slots)]
    )
    if any(r > 0 and not cover[slot].any() for slot, r in enumerate(required)):
        raise ValueError("a slot no allowed shift covers has a requirement")
    hours = np.array([s.working_slots for s in shifts], dtype=float)
    # A tiny preference for fewer, longer shifts among rosters of equal hours.
    cost = hours + 1e-3
    result = milp(
        c=cost,
        constraints=LinearConstraint(cover, lb=np.asarray(required, dtype=float), ub=np.inf),
        integrality=np.ones(len(shifts)),
        bounds=Bounds(0, max([*required, 0])),
        options={"disp": False, "mip_rel_gap": 0.0, "time_limit": 60.0},
    )
    if result.x is None:
        raise RuntimeError(f"roster integer program: {result.message}")
    counts = np.rint(result.x).astype(int)
    chosen = tuple((s, int(n)) for s, n in zip(shifts, counts, strict=True) if n > 0)
    coverage = tuple(int(v) for v in cover @ counts)
    return Roster(day=day, shifts=chosen, coverage=coverage, required=tuple(required))


def erlang_requirements(day: Day, target: Target, *, minimum: int = 1) -> list[int]:
    """Windows needed per slot by Erlang A (Erlang C when nobody leaves), slot by slot.

    Each half-hour is treated as steady at its own arrival rate (the usual stationary
    independent period-by-period approximation); the simulation then checks it.
    """
    expected = day.expected_arrivals()
    needed = []
    for arrivals in expected:
        rate = arrivals / day.slot_minutes
        if rate <= 0:
            needed.append(minimum)
            continue
        figures = agents_needed(
            arrival_rate=rate,
            mean_service=day.service.mean,
            target_time=target.minutes,
            target_share=target.share,
            mean_patience=day.mean_patience,
            minimum=minimum,
        )
        needed.append(figures.agents)
    return needed


@dataclass
class Recommendation:
    roster: Roster
    result: DayResult
    rounds: int
    meets_target: bool
    erlang: list[int] = field(default_factory=list)  # the first requirement, from Erlang


def roster_meeting_target(
    day: Day,
    target: Target,
    required: Sequence[int],
    *,
    rules: ShiftRules | None = None,
    replications: int = 20,
    seed: int = 0,
    max_rounds: int = 10,
) -> tuple[Roster, DayResult, int]:
    """Solve for `required`, simulate, raise the half-hours that miss the target, solve again, …

    A half-hour misses when fewer than `target.share` of the residents arriving in it (pooled over
    the replications) are called within `target.minutes`. At most `max_rounds` solves; the last
    roster is returned whether or not it meets the target (check `result.failing_slots`).
    """
    required = [int(r) for r in required]
    roster = solve_roster(day, required, rules)
    result = simulate_day(day, roster.coverage, target=target, replications=replications, seed=seed)
    rounds = 1
    while rounds < max_rounds:
        failing = result.failing_slots(target.share)
        if not failing:
            break
        for slot in failing:
            required[slot] = max(required[slot], roster.coverage[slot]) + 1
        roster = solve_roster(day, required, rules)
        result = simulate_day(
            day, roster.coverage, target=target, replications=replications, seed=seed
        )
        rounds += 1
    return roster, result, rounds


def recommend_roster(
    day: Day,
    target: Target,
    *,
    rules: ShiftRules | None = None,
    replications: int = 20,
    seed: int = 0,
    max_rounds: int = 10,
) -> Recommendation:
    """The recommendation: Erlang A (or C) per half-hour, then `roster_meeting_target`."""
    erlang = erlang_requirements(day, target)
    roster, result, rounds = roster_meeting_target(
        day,
        target,
        erlang,
        rules=rules,
        replications=replications,
        seed=seed,
        max_rounds=max_rounds,
    )
    meets = not result.failing_slots(target.share)
    return Recommendation(roster, result, rounds, meets, erlang)


def minimal_requirements(
    day: Day,
    target: Target,
    start: Sequence[int],
    *,
    replications: int = 20,
    seed: int = 0,
    max_passes: int = 3,
) -> list[int]:
    """Per-slot windows that meet the target where no single slot can lose a window.

    Starts from `start` (which must meet the target) and, slot by slot from the last, takes one
    window away while the simulation (same seed: the same residents) still meets the target
    in every slot; repeats the passes until nothing changes. Used by the exact benchmark.
    (With abandonment, more windows can make a later half-hour slightly worse — fewer leave, so more
    wait — so a roster covering these windows is checked again by `roster_meeting_target`.)
    """
    current = [max(1, int(v)) for v in start]

    def meets(windows: Sequence[int]) -> bool:
        result = simulate_day(day, windows, target=target, replications=replications, seed=seed)
        return not result.failing_slots(target.share)

    if not meets(current):
        raise ValueError("the starting windows do not meet the target")
    for _ in range(max_passes):
        changed = False
        for slot in reversed(range(day.n_slots)):
            while current[slot] > 1:
                trial = list(current)
                trial[slot] -= 1
                if not meets(trial):
                    break
                current = trial
                changed = True
        if not changed:
            break
    return current
