"""Rosters from the integer program, the simulation loop, and the what-ifs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from madoguchi.insights.staffing.roster import (
    ShiftRules,
    erlang_requirements,
    minimal_requirements,
    recommend_roster,
    shift_catalogue,
    solve_roster,
)
from madoguchi.insights.staffing.simulation import Day, ServiceTime, Target, simulate_day
from madoguchi.insights.staffing.workload import (
    ClosingShift,
    appointment_times,
    close_earlier,
    day_from_hourly,
    move_to_bookings,
    with_extra_windows,
)

SERVICE = ServiceTime(10.0, cv=0.7)


def _day(n_slots: int, walk_ins: float = 10.0) -> Day:
    return Day(walk_ins=(walk_ins,) * n_slots, service=SERVICE)


def test_the_catalogue_follows_the_shift_rules() -> None:
    shifts = shift_catalogue(20, ShiftRules())
    assert {s.length for s in shifts} == set(range(6, 17))  # 3 to 8 hours in half-hours
    for shift in shifts:
        assert shift.start + shift.length <= 20
        if shift.length > 12:  # over 6 hours: a one-hour break, two hours from either end
            assert shift.break_start is not None and shift.break_length == 2
            assert shift.break_start >= shift.start + 4
            assert shift.break_start + 2 <= shift.start + shift.length - 4
        else:
            assert shift.break_start is None
    eight = next(s for s in shifts if s.length == 16)
    assert eight.working_slots == 14
    assert sum(eight.covers(slot) for slot in range(20)) == 14


def test_the_integer_program_is_optimal_on_a_small_instance() -> None:
    # 4-hour day, shifts of 3 to 4 hours without breaks: six shifts; enumerate every roster.
    rules = ShiftRules(min_hours=3, max_hours=4)
    day = _day(8)
    shifts = shift_catalogue(8, rules)
    assert len(shifts) == 6
    required = [1, 2, 2, 1, 2, 1, 1, 2]
    best = None
    for counts in itertools.product(range(3), repeat=len(shifts)):
        cover = [
            sum(n for s, n in zip(shifts, counts, strict=True) if s.covers(t)) for t in range(8)
        ]
        if all(c >= r for c, r in zip(cover, required, strict=True)):
            hours = sum(n * s.working_slots for s, n in zip(shifts, counts, strict=True)) / 2
            best = hours if best is None else min(best, hours)
    roster = solve_roster(day, required, rules)
    assert roster.staff_hours == best
    assert all(c >= r for c, r in zip(roster.coverage, required, strict=True))


def test_a_full_day_needs_two_shifts_because_of_the_break() -> None:
    # One window from 8 to 16: an 8-hour shift has a one-hour break, so two shorter shifts cover it.
    day = _day(16)
    roster = solve_roster(day, [1] * 16)
    assert roster.coverage == (1,) * 16
    assert roster.staff_hours == 8.0
    assert roster.staff == 2
    assert all(shift.length <= 12 for shift, _ in roster.shifts)


def test_the_roster_covers_the_requirement_with_the_fewest_hours() -> None:
    day = _day(16)
    required = [2, 2, 3, 4, 5, 5, 6, 6, 5, 4, 4, 5, 5, 3, 2, 2]
    roster = solve_roster(day, required)
    assert all(c >= r for c, r in zip(roster.coverage, required, strict=True))
    assert roster.staff_hours >= sum(required) / 2  # no roster beats the requirement itself
    assert roster.staff_hours <= sum(required) / 2 * 1.15


def test_erlang_requirements_follow_the_load() -> None:
    day = Day(walk_ins=(5.0, 20.0, 40.0, 0.0), service=SERVICE)
    needed = erlang_requirements(day, Target(15, 0.9))
    assert needed[3] == 1  # an open half-hour keeps one window
    assert needed[0] < needed[1] < needed[2]
    # 40 residents in 30 minutes at 10 minutes each: more than 40/30·10 ≈ 13.3 windows.
    assert needed[2] >= 14


def test_the_recommendation_meets_the_target_in_simulation() -> None:
    walk_ins = (4.0, 6.0, 9.0, 12.0, 14.0, 12.0, 10.0, 8.0, 7.0, 6.0, 5.0, 3.0)
    day = Day(
        walk_ins=walk_ins,
        service=SERVICE,
        mean_patience=40.0,
        bookings=appointment_times([2.0] * 12),
        no_show=0.1,
        punctuality_sd=5.0,
    )
    target = Target(15, 0.9)
    recommendation = recommend_roster(day, target, replications=8, seed=2)
    assert recommendation.meets_target
    assert all(
        c >= e for c, e in zip(recommendation.roster.coverage, recommendation.erlang, strict=True)
    )
    assert not recommendation.result.failing_slots(target.share)
    # One window fewer in the busiest half-hour is not as good.
    busiest = int(np.argmax(recommendation.roster.coverage))
    fewer = list(recommendation.roster.coverage)
    fewer[busiest] -= 2
    worse = simulate_day(day, fewer, target=target, replications=8, seed=2)
    assert worse.slot_shares()[busiest] < recommendation.result.slot_shares()[busiest]


def test_minimal_requirements_never_exceed_the_start_and_meet_the_target() -> None:
    day = Day(walk_ins=(6.0, 10.0, 12.0, 8.0), service=SERVICE)
    target = Target(15, 0.9)
    start = [8, 8, 8, 8]
    minimal = minimal_requirements(day, target, start, replications=6, seed=1)
    assert all(m <= s for m, s in zip(minimal, start, strict=True))
    assert sum(minimal) < sum(start)
    result = simulate_day(day, minimal, target=target, replications=6, seed=1)
    assert not result.failing_slots(target.share)
    for slot in range(4):  # no half-hour can lose a window
        if minimal[slot] > 1:
            fewer = list(minimal)
            fewer[slot] -= 1
            trial = simulate_day(day, fewer, target=target, replications=6, seed=1)
            assert trial.failing_slots(target.share)
    with pytest.raises(ValueError):
        minimal_requirements(day, target, [1, 1, 1, 1], replications=2, seed=1)


def test_appointment_times_spread_inside_each_half_hour() -> None:
    assert appointment_times([2.0, 0.4, 0.4]) == (7.5, 22.5, 75.0)
    assert len(appointment_times([0.3] * 10)) == 3


def test_a_day_from_hourly_counts_keeps_the_visits() -> None:
    hourly = {8: 10.0, 9: 30.0, 10: 20.0, 7: 99.0}
    day = day_from_hourly(
        hourly, opens_hour=8, closes_hour=11, service=SERVICE, booked_share=0.25, no_show=0.2
    )
    assert day.n_slots == 6
    assert day.slot_label(2) == "09:00"
    expected = day.expected_arrivals()
    assert expected.sum() == pytest.approx(60.0, abs=1.0)  # bookings rounded to whole residents
    assert sum(day.walk_ins) == pytest.approx(45.0)
    assert len(day.bookings) == round(15 / 0.8)


def test_what_if_extra_window_on_a_morning() -> None:
    assert with_extra_windows([2, 2, 3, 3], range(1, 3)) == [2, 3, 4, 3]


def test_what_if_moving_walk_ins_to_bookings_smooths_the_queue() -> None:
    day = Day(walk_ins=(15.0,) * 8, service=ServiceTime(8.0, cv=0.5))
    booked = move_to_bookings(day, 0.2)
    assert sum(booked.walk_ins) == pytest.approx(0.8 * 120)
    assert len(booked.bookings) == 24
    assert booked.expected_arrivals().sum() == pytest.approx(120)
    target = Target(10, 0.9)
    before = simulate_day(day, [5] * 8, target=target, replications=20, seed=4)
    after = simulate_day(booked, [5] * 8, target=target, replications=20, seed=4)
    assert after.mean_wait.mean < before.mean_wait.mean


def test_what_if_closing_earlier_moves_demand_as_stated() -> None:
    day = Day(
        walk_ins=(10.0, 10.0, 20.0, 20.0), service=SERVICE, bookings=(100.0, 10.0), opens_at=15 * 60
    )
    early = close_earlier(day, 16 * 60 + 30, ClosingShift(to_convenience_store=0.3))
    assert early.n_slots == 3
    assert early.bookings == (10.0,)
    # 20 walk-ins and 1 booking after 16:30: 70 % of 21 come earlier, spread like the day.
    assert early.expected_arrivals().sum() == pytest.approx(41 + 0.7 * 21)
    assert close_earlier(day, 18 * 60) is day
