"""Counter days from measured counts, and the what-ifs a manager asks about.

Each what-if changes the day (or the roster) and states how demand moves; the simulation gives
the waits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .simulation import Day, ServiceTime


def appointment_times(per_slot: Sequence[float], slot_minutes: int = 30) -> tuple[float, ...]:
    """Bookings spread evenly inside each slot; counts rounded on the running total, so the day
    keeps round(Σ per_slot) bookings and no slot drifts by more than one."""
    times: list[float] = []
    running = 0.0
    placed = 0
    for slot, expected in enumerate(per_slot):
        running += expected
        count = int(running + 0.5) - placed
        placed += count
        times.extend(slot * slot_minutes + (k + 0.5) * slot_minutes / count for k in range(count))
    return tuple(times)


def day_from_hourly(
    hourly: Mapping[int, float],
    *,
    opens_hour: int,
    closes_hour: int,
    service: ServiceTime,
    booked_share: float = 0.0,
    no_show: float = 0.0,
    punctuality_mean: float = 0.0,
    punctuality_sd: float = 0.0,
    mean_patience: float | None = None,
    slot_minutes: int = 30,
) -> Day:
    """A day from expected visits per clock hour: each hour split evenly into its half-hours;
    `booked_share` of each half-hour's visits come by appointment (spread inside the half-hour,
    booked with the no-shows on top so the shown visits stay the same), the rest walk in."""
    if not 0 <= booked_share <= 1 or not 0 <= no_show < 1:
        raise ValueError("shares must be between 0 and 1")
    per_hour = 60 // slot_minutes
    visits = [
        hourly.get(hour, 0.0) / per_hour
        for hour in range(opens_hour, closes_hour)
        for _ in range(per_hour)
    ]
    walk_ins = tuple(v * (1 - booked_share) for v in visits)
    booked = [v * booked_share / (1 - no_show) for v in visits]
    return Day(
        walk_ins=walk_ins,
        service=service,
        bookings=appointment_times(booked, slot_minutes),
        mean_patience=mean_patience,
        no_show=no_show,
        punctuality_mean=punctuality_mean,
        punctuality_sd=punctuality_sd,
        opens_at=opens_hour * 60,
        slot_minutes=slot_minutes,
    )


def with_extra_windows(windows: Sequence[int], slots: range, extra: int = 1) -> list[int]:
    """What-if: `extra` windows more in `slots` (e.g. Thursday 9:00–12:00)."""
    return [w + (extra if s in slots else 0) for s, w in enumerate(windows)]


def move_to_bookings(day: Day, share: float) -> Day:
    """What-if: `share` of the walk-ins book instead, in the same half-hour they would have come.

    Assumption: the same residents come on the same day and half-hour; those who book no-show at the
    day's no-show rate (so the counter sees slightly fewer), and arrive at their appointment with the
    day's punctuality.
    """
    if not 0 <= share <= 1:
        raise ValueError("share must be between 0 and 1")
    moved = [w * share for w in day.walk_ins]
    walk_ins = tuple(w - m for w, m in zip(day.walk_ins, moved, strict=True))
    extra = appointment_times(moved, day.slot_minutes)
    return replace(day, walk_ins=walk_ins, bookings=tuple(sorted(day.bookings + extra)))


@dataclass(frozen=True)
class ClosingShift:
    """How demand after an earlier closing time moves (stated assumptions, both shares of it)."""

    to_convenience_store: float = (
        0.3  # certificates issued at a convenience store instead (コンビニ交付)
    )
    # The rest comes earlier the same day, spread like the day's own demand.


def close_earlier(day: Day, closes_at_minute: int, shift: ClosingShift | None = None) -> Day:
    """What-if: close at `closes_at_minute` (minutes after midnight, e.g. 16:30 = 990).

    Walk-ins and bookings after the new closing time: `to_convenience_store` of them leave the
    counter, the rest arrive earlier the same day in proportion to each remaining half-hour's
    demand (bookings move to the same half-hours as walk-ins).
    """
    shift = shift or ClosingShift()
    keep = int((closes_at_minute - day.opens_at) // day.slot_minutes)
    if keep >= day.n_slots:
        return day
    if keep < 1:
        raise ValueError("closing before the first half-hour")
    limit = keep * day.slot_minutes
    late_walk_ins = sum(day.walk_ins[keep:])
    late_bookings = sum(1 for b in day.bookings if b >= limit)
    moving = (late_walk_ins + late_bookings * (1 - day.no_show)) * (1 - shift.to_convenience_store)
    kept = np.asarray(day.walk_ins[:keep], dtype=float)
    weights = kept + np.bincount(
        [int(b // day.slot_minutes) for b in day.bookings if b < limit], minlength=keep
    )[:keep] * (1 - day.no_show)
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(keep, 1 / keep)
    walk_ins = tuple(float(v) for v in kept + moving * weights)
    return replace(day, walk_ins=walk_ins, bookings=tuple(b for b in day.bookings if b < limit))
