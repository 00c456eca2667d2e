"""The staffing page's figures: one municipality's measured weekday, the windows Erlang C and
Erlang A call for per half-hour, the roster the integer program recommends, its simulated waits
and the what-ifs (a window more in the morning, 20 % of walk-ins booking, closing at 16:30).

Reads the hall's measured facts through `reservations.facts` (arrivals per half-hour of the
chosen weekday's open days, averaged per day; service times; booking no-shows; walk-ins not there
when called), builds a `staffing.simulation.Day` and runs the staffing library. The library part
is deterministic for its inputs (seeded), so its result is cached for a day under a hash of those
inputs (counts and minutes only, no personal data): the page answers from the cache after the
first request of the day for a weekday and period.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from madoguchi.core.sql_time import local_day_bounds
from madoguchi.reservations import facts as visit_facts
from madoguchi.tenancy.access import Scope

from .selectors import Table
from .staffing.roster import Roster, erlang_requirements, recommend_roster
from .staffing.simulation import Day, DayResult, ServiceTime, Target, simulate_day
from .staffing.workload import (
    ClosingShift,
    appointment_times,
    close_earlier,
    move_to_bookings,
    with_extra_windows,
)

PERIOD_WEEKS = (4, 8, 12, 26)
DEFAULT_WEEKS = 8
TARGET_SHARE = 0.9  # "90 % called within the municipality's wait target"
DEFAULT_NO_SHOW = 0.1  # share of bookings never coming, when too few bookings were measured
DEFAULT_PATIENCE_MINUTES = 45.0  # mean patience, when too few walk-ins left the queue
PUNCTUALITY_SD_MINUTES = 5.0  # booked residents arrive around their time (assumed)
MOVE_SHARE = 0.2  # what-if: this share of walk-ins book instead
CLOSE_AT_MINUTE = 16 * 60 + 30  # what-if: closing at 16:30
CONVENIENCE_STORE_SHARE = ClosingShift().to_convenience_store
MORNING = (9 * 60, 12 * 60)  # what-if: a window more from 9:00 to 12:00
SLOT_MINUTES = 30

# Enough to recommend: fewer open days, timed services or visits and the page says so instead.
MIN_OPEN_DAYS = 2
MIN_SERVICE_TIMES = 20
MIN_VISITS_PER_DAY = 5.0
MIN_BOOKINGS = 20  # to use the measured no-show rate
MIN_ABSENT = 5  # walk-ins not there when called, to estimate their patience

REPLICATIONS = 20
MAX_ROUNDS = 6
SEED = 1
CHECK_SEED = 1001  # the figures shown come from fresh replications, not those tuned on
CACHE_SECONDS = 24 * 3600
CACHE_VERSION = 1


@dataclass(frozen=True)
class Measured:
    """What the recommendation rests on (all per open day of the weekday, or shares)."""

    first: date
    last: date
    open_days: int
    opens_minute: int | None
    closes_minute: int | None
    walk_ins_per_day: float
    bookings_per_day: float  # booked (no-shows included)
    service_count: int
    service_minutes: float | None
    service_cv: float
    no_show: float
    no_show_measured: bool
    patience_minutes: float
    patience_measured: bool
    abandon_share: float | None  # walk-ins not there when called, of those called
    target_minutes: int
    target_share: float = TARGET_SHARE

    @property
    def hours_label(self) -> str:
        if self.opens_minute is None or self.closes_minute is None:
            return ""
        return f"{clock(self.opens_minute)}–{clock(self.closes_minute)}"

    @property
    def no_show_percent(self) -> float:
        return self.no_show * 100

    @property
    def abandon_percent(self) -> float | None:
        return None if self.abandon_share is None else self.abandon_share * 100


@dataclass(frozen=True)
class Simulated:
    """One simulated roster (numbers only: the page words them in the reader's language)."""

    p90: float
    p90_half_width: float
    within: float  # share of arrivals called within the target
    within_half_width: float
    mean_wait: float
    abandonment: float
    staff_hours: float
    failing_slots: int
    slot_p90: tuple[float, ...]
    slot_within: tuple[float, ...]

    @property
    def p90_range(self) -> tuple[float, float]:
        return max(0.0, self.p90 - self.p90_half_width), self.p90 + self.p90_half_width

    @property
    def within_percent(self) -> float:
        return self.within * 100

    @property
    def within_range(self) -> tuple[float, float]:
        low = max(0.0, self.within - self.within_half_width)
        return low * 100, min(1.0, self.within + self.within_half_width) * 100

    @classmethod
    def of(cls, result: DayResult, staff_hours: float, share: float) -> Simulated:
        estimate = result.wait_p90_estimate
        return cls(
            p90=estimate.mean,
            p90_half_width=estimate.half_width if math.isfinite(estimate.half_width) else 0.0,
            within=result.share_within.mean,
            within_half_width=(
                result.share_within.half_width
                if math.isfinite(result.share_within.half_width)
                else 0.0
            ),
            mean_wait=result.mean_wait.mean,
            abandonment=result.abandonment.mean,
            staff_hours=staff_hours,
            failing_slots=len(result.failing_slots(share)),
            slot_p90=result.slot_p90,
            slot_within=tuple(result.slot_shares()),
        )


@dataclass(frozen=True)
class Shift:
    start: str
    end: str
    break_start: str | None
    break_end: str | None
    staff: int
    hours: float  # working hours of one person on it


@dataclass(frozen=True)
class WhatIf:
    slug: str  # "window" | "bookings" | "close"
    result: Simulated | None  # None: does not apply (e.g. the hall closes by 16:30 already)
    moved: float = 0.0  # residents per day whose arrival changes
    to_convenience_store: float = 0.0
    replanned_hours: float | None = None  # closing earlier: the roster planned again


@dataclass(frozen=True)
class Computed:
    """The library's part, cached: per-slot requirements, the roster, the simulations."""

    erlang_c: tuple[int, ...]
    erlang_a: tuple[int, ...]
    windows: tuple[int, ...]
    shifts: tuple[Shift, ...]
    staff: int
    rounds: int
    meets_target: bool
    baseline: Simulated
    whatifs: tuple[WhatIf, ...]


@dataclass(frozen=True)
class HalfHour:
    label: str
    walk_ins: float
    bookings: float  # booked residents expected to come (no-shows taken off)
    erlang_c: int
    erlang_a: int
    windows: int
    p90: float
    within: float


@dataclass(frozen=True)
class Plan:
    weekday: int
    weeks: int
    measured: Measured
    problems: tuple[str, ...]  # codes of what is missing (see PROBLEMS in the view's template)
    computed: Computed | None = None
    labels: tuple[str, ...] = ()
    walk_ins: tuple[float, ...] = ()
    bookings: tuple[float, ...] = ()

    @property
    def enough(self) -> bool:
        return self.computed is not None

    @property
    def rows(self) -> list[HalfHour]:
        c = self.computed
        if c is None:
            return []
        return [
            HalfHour(
                self.labels[s],
                self.walk_ins[s],
                self.bookings[s],
                c.erlang_c[s],
                c.erlang_a[s],
                c.windows[s],
                c.baseline.slot_p90[s],
                c.baseline.slot_within[s],
            )
            for s in range(len(self.labels))
        ]


def clock(minute: float) -> str:
    minute = int(minute)
    return f"{minute // 60:02d}:{minute % 60:02d}"


# --- Reading the measured facts -----------------------------------------------------------------


def _service(
    scope: Scope, first: date, last: date, now: datetime
) -> tuple[int, float | None, float]:
    """Measured service times (all services pooled): count, mean minutes, coefficient of
    variation (from the whole-minute histogram, each minute at its middle)."""
    since = local_day_bounds(first, last)[0]
    times = visit_facts.service_times(scope=scope, finished_since=since).values()
    count = sum(t.timed for t in times)
    mean = sum(t.seconds for t in times) / count / 60 if count else None
    histogram: Counter[int] = Counter()
    for row in visit_facts.visit_histogram(scope=scope, first=first, last=last, measure="service"):
        histogram[row.minutes] += row.count
    n = sum(histogram.values())
    cv = 1.0
    if n >= 2:
        m = sum((k + 0.5) * c for k, c in histogram.items()) / n
        var = sum(c * ((k + 0.5) - m) ** 2 for k, c in histogram.items()) / (n - 1)
        cv = min(2.0, max(0.2, math.sqrt(var) / m)) if m > 0 else 1.0
    return count, mean, cv


def measure(
    *, scope: Scope, weekday: int, weeks: int, target_minutes: int, today: date, now: datetime
) -> tuple[Measured, visit_facts.WeekdayArrivals]:
    last = today - timedelta(days=1)
    first = last - timedelta(weeks=weeks) + timedelta(days=1)
    arrivals = visit_facts.weekday_arrivals(
        scope=scope, weekday=weekday, first=first, last=last, now=now
    )
    days = len(arrivals.open_days)
    booked = sum(arrivals.bookings.values())
    no_show_measured = booked >= MIN_BOOKINGS
    no_show = (
        (booked - arrivals.bookings_checked_in) / booked if no_show_measured else DEFAULT_NO_SHOW
    )
    no_show = min(no_show, 0.9)
    abandon = arrivals.walk_in_absent / arrivals.walk_in_called if arrivals.walk_in_called else None
    patience_measured = arrivals.walk_in_absent >= MIN_ABSENT and abandon is not None
    patience = DEFAULT_PATIENCE_MINUTES
    if patience_measured and abandon:
        # Mean wait / share abandoning estimates the mean patience (Erlang A: θ ≈ P(ab) / E[W]).
        mean_wait = arrivals.walk_in_wait_seconds / arrivals.walk_in_called / 60
        patience = min(240.0, max(5.0, mean_wait / abandon))
    count, mean, cv = _service(scope, first, last, now)
    measured = Measured(
        first=first,
        last=last,
        open_days=days,
        opens_minute=arrivals.opens_minute,
        closes_minute=arrivals.closes_minute,
        walk_ins_per_day=sum(arrivals.walk_ins.values()) / days if days else 0.0,
        bookings_per_day=booked / days if days else 0.0,
        service_count=count,
        service_minutes=mean,
        service_cv=cv,
        no_show=no_show,
        no_show_measured=no_show_measured,
        patience_minutes=patience,
        patience_measured=patience_measured,
        abandon_share=abandon,
        target_minutes=target_minutes,
    )
    return measured, arrivals


def problems_of(measured: Measured) -> tuple[str, ...]:
    """Why there is too little to recommend (empty: enough)."""
    if measured.opens_minute is None or measured.closes_minute is None:
        return ("closed",)
    found = []
    if measured.open_days < MIN_OPEN_DAYS:
        found.append("days")
    if measured.service_count < MIN_SERVICE_TIMES or measured.service_minutes is None:
        found.append("service")
    visits = measured.walk_ins_per_day + measured.bookings_per_day * (1 - measured.no_show)
    if visits < MIN_VISITS_PER_DAY:
        found.append("visits")
    return tuple(found)


def build_day(measured: Measured, arrivals: visit_facts.WeekdayArrivals) -> Day:
    """The weekday as the simulation's Day: walk-ins and bookings per half-hour of opening,
    averaged per open day (anything before opening or after closing counts in the first or last
    half-hour)."""
    assert measured.opens_minute is not None and measured.closes_minute is not None
    assert measured.service_minutes is not None
    opens = measured.opens_minute - measured.opens_minute % SLOT_MINUTES
    n_slots = max(1, math.ceil((measured.closes_minute - opens) / SLOT_MINUTES))
    days = max(1, measured.open_days)

    def per_slot(counts: dict[int, int]) -> list[float]:
        slots = [0.0] * n_slots
        for minute, n in counts.items():
            slot = min(max(0, (minute - opens) // SLOT_MINUTES), n_slots - 1)
            slots[slot] += n / days
        return slots

    return Day(
        walk_ins=tuple(round(v, 4) for v in per_slot(arrivals.walk_ins)),
        service=ServiceTime(round(measured.service_minutes, 3), cv=round(measured.service_cv, 3)),
        bookings=appointment_times(per_slot(arrivals.bookings), SLOT_MINUTES),
        mean_patience=round(measured.patience_minutes, 2),
        no_show=round(measured.no_show, 4),
        punctuality_sd=PUNCTUALITY_SD_MINUTES,
        opens_at=opens,
        slot_minutes=SLOT_MINUTES,
    )


# --- The library's part (cached) ----------------------------------------------------------------


def _shifts(roster: Roster, closes_minute: int) -> tuple[Shift, ...]:
    """The roster's shifts as clock times (a shift ending with the last half-hour ends at
    closing time, not at the end of that half-hour)."""
    day = roster.day
    out = []
    for shift, staff in sorted(roster.shifts, key=lambda item: (item[0].start, item[0].length)):

        def at(slot: int) -> str:
            return clock(day.opens_at + slot * day.slot_minutes)

        out.append(
            Shift(
                start=at(shift.start),
                end=clock(
                    min(
                        closes_minute,
                        day.opens_at + (shift.start + shift.length) * day.slot_minutes,
                    )
                ),
                break_start=at(shift.break_start) if shift.break_start is not None else None,
                break_end=(
                    at(shift.break_start + shift.break_length)
                    if shift.break_start is not None
                    else None
                ),
                staff=staff,
                hours=shift.working_slots * day.slot_minutes / 60,
            )
        )
    return tuple(out)


def _hours(windows: tuple[int, ...] | list[int], day: Day) -> float:
    return sum(windows) * day.slot_minutes / 60


def compute(day: Day, target: Target, closes_minute: int) -> Computed:
    """Erlang C and A per half-hour, the recommended roster, and the what-ifs simulated with the
    same residents (common random numbers) as the recommendation's check."""
    rec = recommend_roster(day, target, replications=REPLICATIONS, seed=SEED, max_rounds=MAX_ROUNDS)
    windows = tuple(rec.roster.coverage)
    hours = rec.roster.staff_hours

    def run(d: Day, w: list[int] | tuple[int, ...], staff_hours: float) -> Simulated:
        result = simulate_day(d, w, target=target, replications=REPLICATIONS, seed=CHECK_SEED)
        return Simulated.of(result, staff_hours, target.share)

    baseline = run(day, windows, hours)
    morning = range(
        max(0, (MORNING[0] - day.opens_at) // day.slot_minutes),
        max(0, (MORNING[1] - day.opens_at) // day.slot_minutes),
    )
    plus = with_extra_windows(list(windows), morning)
    whatifs = [
        WhatIf(
            "window",
            run(day, plus, hours + _hours(plus, day) - _hours(windows, day)) if morning else None,
        ),
    ]
    moved = sum(day.walk_ins) * MOVE_SHARE
    whatifs.append(
        WhatIf("bookings", run(move_to_bookings(day, MOVE_SHARE), windows, hours), moved)
    )
    close = WhatIf("close", None)
    if day.opens_at < CLOSE_AT_MINUTE < day.opens_at + day.closes_after:
        early = close_earlier(day, CLOSE_AT_MINUTE)
        keep = early.n_slots
        limit = keep * day.slot_minutes
        late = sum(day.walk_ins[keep:]) + sum(1 for b in day.bookings if b >= limit) * (
            1 - day.no_show
        )
        cut = list(windows[:keep])
        again = recommend_roster(
            early, target, replications=REPLICATIONS, seed=SEED, max_rounds=MAX_ROUNDS
        )
        close = WhatIf(
            "close",
            run(early, cut, _hours(cut, day)),
            moved=late,
            to_convenience_store=late * CONVENIENCE_STORE_SHARE,
            replanned_hours=again.roster.staff_hours,
        )
    whatifs.append(close)
    erlang_c = erlang_requirements(replace(day, mean_patience=None), target)
    return Computed(
        erlang_c=tuple(erlang_c),
        erlang_a=tuple(rec.erlang),
        windows=windows,
        shifts=_shifts(rec.roster, closes_minute),
        staff=rec.roster.staff,
        rounds=rec.rounds,
        meets_target=rec.meets_target,
        baseline=baseline,
        whatifs=tuple(whatifs),
    )


def cache_key(day: Day, target: Target, closes_minute: int) -> str:
    inputs = repr(
        (CACHE_VERSION, REPLICATIONS, MAX_ROUNDS, SEED, CHECK_SEED, day, target, closes_minute)
    )
    return "insights:staffing:" + hashlib.sha256(inputs.encode()).hexdigest()


def computed_for(day: Day, target: Target, closes_minute: int) -> Computed:
    key = cache_key(day, target, closes_minute)
    found = cache.get(key)
    if isinstance(found, Computed):
        return found
    result = compute(day, target, closes_minute)
    cache.set(key, result, CACHE_SECONDS)
    return result


# --- The page's one entry -----------------------------------------------------------------------


def staffing_plan(
    *,
    scope: Scope,
    weekday: int,
    weeks: int,
    target_minutes: int,
    today: date,
    now: datetime,
) -> Plan:
    """The staffing plan of one municipality's weekday from the last `weeks` weeks."""
    measured, arrivals = measure(
        scope=scope,
        weekday=weekday,
        weeks=weeks,
        target_minutes=target_minutes,
        today=today,
        now=now,
    )
    problems = problems_of(measured)
    if problems:
        return Plan(weekday, weeks, measured, problems)
    day = build_day(measured, arrivals)
    assert measured.closes_minute is not None  # problems_of says "closed" otherwise
    computed = computed_for(
        day, Target(float(target_minutes), TARGET_SHARE), measured.closes_minute
    )
    shown = [0.0] * day.n_slots
    for minute in day.bookings:
        shown[min(int(minute // day.slot_minutes), day.n_slots - 1)] += 1 - day.no_show
    return Plan(
        weekday,
        weeks,
        measured,
        (),
        computed,
        labels=tuple(day.slot_label(s) for s in range(day.n_slots)),
        walk_ins=day.walk_ins,
        bookings=tuple(shown),
    )


# --- The page's table (the CSV and the chart come from the same rows) ---------------------------


def staffing_table(plan: Plan) -> Table:
    minutes = plan.measured.target_minutes
    return Table(
        slug="staffing",
        title=_("半時間ごとの来庁と必要な窓口数"),
        columns=[
            _("時間帯"),
            _("予約なしの来庁（人／日）"),
            _("予約の来庁（人／日）"),
            _("Erlang C の窓口数"),
            _("Erlang A の窓口数"),
            _("推奨の窓口数（勤務表）"),
            _("待ち時間 90%（分・シミュレーション）"),
            _("%(minutes)s分以内に呼出（%%・シミュレーション）") % {"minutes": minutes},
        ],
        rows=[
            [
                r.label,
                f"{r.walk_ins:.1f}",
                f"{r.bookings:.1f}",
                r.erlang_c,
                r.erlang_a,
                r.windows,
                f"{r.p90:.1f}",
                f"{r.within * 100:.1f}",
            ]
            for r in plan.rows
        ],
        value_column=5,
    )
