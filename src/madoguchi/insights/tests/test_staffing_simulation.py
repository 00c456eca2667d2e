"""The counter-day simulation: agreement with Erlang C/A, determinism, the day's mechanics."""

from __future__ import annotations

import numpy as np
import pytest

from madoguchi.insights.staffing.erlang import erlang_a_figures, erlang_c_figures
from madoguchi.insights.staffing.simulation import (
    Day,
    ServiceTime,
    Target,
    fit_service_time,
    simulate_day,
)

# 200 arrivals an hour (100 per half-hour), 3-minute exponential service: 10 Erlangs.
# Five hours; the first hour is warm-up (the day starts empty), the rest is near steady state.
POISSON_DAY = Day(walk_ins=(100.0,) * 10, service=ServiceTime(3.0, kind="exponential"))
TARGET = Target(minutes=20 / 60, share=0.8)
# Punctual bookings, near-constant service: what happens is known minute by minute.
EXACT = ServiceTime(5.0, cv=1e-6)


def test_poisson_arrivals_agree_with_erlang_c_within_the_confidence_interval() -> None:
    result = simulate_day(
        POISSON_DAY, [14] * 10, target=TARGET, replications=30, seed=0, warmup_slots=2
    )
    erlang = erlang_c_figures(arrival_rate=200 / 60, mean_service=3.0, agents=14, target_time=1 / 3)
    assert result.share_within.low <= erlang.service_level <= result.share_within.high
    assert result.share_within.half_width < 0.05  # the interval is informative
    assert result.mean_wait.low <= erlang.mean_wait <= result.mean_wait.high
    assert result.utilisation.mean == pytest.approx(10 / 14, abs=0.03)
    assert result.abandonment.mean == 0.0


def test_abandonment_agrees_with_erlang_a_within_the_confidence_interval() -> None:
    day = Day(
        walk_ins=(100.0,) * 10, service=ServiceTime(3.0, kind="exponential"), mean_patience=2.0
    )
    result = simulate_day(day, [12] * 10, target=TARGET, replications=30, seed=0, warmup_slots=2)
    erlang = erlang_a_figures(
        arrival_rate=200 / 60, mean_service=3.0, agents=12, target_time=1 / 3, mean_patience=2.0
    )
    assert result.share_within.low <= erlang.service_level <= result.share_within.high
    assert result.abandonment.low <= erlang.abandon_probability <= result.abandonment.high
    assert result.mean_time_in_queue.low <= erlang.mean_wait <= result.mean_time_in_queue.high


def test_too_few_windows_miss_what_erlang_c_says_they_miss() -> None:
    # The simulation is not merely permissive: at 12 windows Erlang C gives 0.640.
    result = simulate_day(
        POISSON_DAY, [12] * 10, target=TARGET, replications=30, seed=0, warmup_slots=2
    )
    assert result.share_within.high < 0.75
    assert result.failing_slots(0.8)


def test_the_same_seed_gives_the_same_day() -> None:
    day = Day(
        walk_ins=(20.0, 30.0, 25.0),
        service=ServiceTime(8.0),
        mean_patience=20.0,
        bookings=(5.0, 15.0, 40.0),
        no_show=0.2,
        punctuality_sd=4.0,
    )
    first = simulate_day(day, [3, 4, 3], target=Target(10, 0.9), replications=4, seed=11)
    again = simulate_day(day, [3, 4, 3], target=Target(10, 0.9), replications=4, seed=11)
    other = simulate_day(day, [3, 4, 3], target=Target(10, 0.9), replications=4, seed=12)
    assert np.array_equal(first.waits, again.waits)
    assert first.share_within == again.share_within
    assert not np.array_equal(first.waits, other.waits)


def test_punctual_bookings_spaced_wider_than_service_never_wait() -> None:
    day = Day(walk_ins=(0.0, 0.0), service=EXACT, bookings=tuple(range(0, 60, 10)))
    result = simulate_day(day, [1, 1], target=Target(0, 0.9), replications=2, seed=1)
    assert result.arrivals == 6
    assert result.wait_p90 == pytest.approx(0.0, abs=1e-6)
    assert result.share_within.mean == 1.0
    assert result.utilisation.mean == pytest.approx(30 / 60, rel=1e-3)


def test_a_closed_half_hour_makes_arrivals_wait_for_the_next_window() -> None:
    # One resident at minute 35 while no window is open until 60.
    day = Day(walk_ins=(0.0, 0.0, 0.0), service=EXACT, bookings=(35.0,))
    result = simulate_day(day, [1, 0, 1], target=Target(15, 0.9), replications=1, seed=1)
    assert result.waits.tolist() == pytest.approx([25.0], abs=1e-6)
    assert result.slot_shares() == [1.0, 0.0, 1.0]
    assert result.failing_slots(0.9) == [1]


def test_windows_call_everyone_still_waiting_after_closing() -> None:
    # Five residents at 29 minutes, one window of a one-slot day: served until 54 minutes.
    day = Day(walk_ins=(0.0,), service=EXACT, bookings=(29.0,) * 5)
    result = simulate_day(day, [1], target=Target(15, 0.9), replications=1, seed=1)
    assert sorted(result.waits.tolist()) == pytest.approx([0, 5, 10, 15, 20], abs=1e-4)
    assert result.share_within.mean == pytest.approx(0.8)


def test_a_closing_window_finishes_its_resident_first() -> None:
    # Two windows in slot 0, one after: the resident called at 28 is served to the end although
    # that window closes at 30, and the one arriving at 29 waits for the window that stays open.
    day = Day(walk_ins=(0.0, 0.0), service=EXACT, bookings=(27.0, 28.0, 29.0))
    result = simulate_day(day, [2, 1], target=Target(15, 0.9), replications=1, seed=1)
    # 27 → window 0 at 27 (free 32); 28 → window 1 at 28 (closes at 30, finishes at 33);
    # 29 → waits for window 0 at 32.
    assert sorted(result.waits.tolist()) == pytest.approx([0, 0, 3], abs=1e-4)
    assert result.utilisation.mean == pytest.approx(15 / 90, rel=1e-3)


def test_no_shows_and_impatient_residents() -> None:
    day = Day(
        walk_ins=(0.0,) * 4,
        service=ServiceTime(5.0),
        bookings=tuple(float(m) for m in range(0, 120, 2)),
        no_show=0.25,
    )
    result = simulate_day(day, [1] * 4, target=Target(10, 0.9), replications=20, seed=5)
    assert result.arrivals == pytest.approx(45, abs=3)  # 60 booked, a quarter absent
    impatient = Day(walk_ins=(60.0,) * 4, service=ServiceTime(5.0), mean_patience=3.0)
    result = simulate_day(impatient, [1] * 4, target=Target(10, 0.9), replications=5, seed=5)
    assert result.abandonment.mean > 0.7  # 120 an hour arrive, one window serves 12
    assert np.all(result.waits >= 0)


def test_service_times_are_fitted_from_measured_durations() -> None:
    rng = np.random.default_rng(1)
    measured = ServiceTime(8.0, cv=0.6).sample(rng, 20_000)
    fitted = fit_service_time(measured.tolist())
    assert fitted.mean == pytest.approx(8.0, rel=0.02)
    assert fitted.cv == pytest.approx(0.6, rel=0.05)
    exponential = fit_service_time(rng.exponential(4.0, 20_000).tolist(), kind="exponential")
    assert exponential.mean == pytest.approx(4.0, rel=0.03)
    with pytest.raises(ValueError):
        fit_service_time([3.0])


def test_a_roster_must_fit_the_day() -> None:
    with pytest.raises(ValueError):
        simulate_day(POISSON_DAY, [3, 3], target=TARGET)
