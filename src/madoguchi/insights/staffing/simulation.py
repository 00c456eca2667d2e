"""A counter day as a discrete-event simulation (SimPy): who waits how long under a roster.

The model, in minutes from opening:
- booked residents arrive at their appointment time plus a punctuality error (normal), some never
  come (no-shows); walk-ins arrive as a Poisson process whose rate is constant within each half-hour;
- one queue, first come first served (booked residents join the same queue when they arrive);
- windows open per half-hour by the roster: window k serves while k < windows[slot]; a window that
  closes finishes the resident at it first (nobody is sent away mid-service); after closing time
  the last half-hour's windows call everyone still waiting (arrivals stop at closing);
- a waiting resident leaves after an exponential patience (when a patience mean is given);
- service times are drawn per resident (lognormal or exponential, fitted to measured means), so two
  rosters simulated with the same seed see the same residents (common random numbers).

Each replication draws a fresh day from its own stream of a `numpy.random.SeedSequence`: the
whole result is deterministic for a seed.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import simpy

SLOT_MINUTES = 30


@dataclass(frozen=True)
class ServiceTime:
    """Service-time distribution in minutes: exponential, or lognormal with a coefficient of variation."""

    mean: float
    cv: float = 1.0
    kind: Literal["lognormal", "exponential"] = "lognormal"

    def __post_init__(self) -> None:
        if not self.mean > 0 or not self.cv > 0:
            raise ValueError("service mean and coefficient of variation must be > 0")

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.kind == "exponential":
            return rng.exponential(self.mean, size)
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), size)


def fit_service_time(
    durations: Sequence[float], kind: Literal["lognormal", "exponential"] = "lognormal"
) -> ServiceTime:
    """Fit measured service durations (minutes, > 0): lognormal by maximum likelihood on the logs,
    exponential by the mean (its maximum-likelihood estimate)."""
    values = np.asarray([d for d in durations if d > 0], dtype=float)
    if values.size < 2:
        raise ValueError("need at least two positive durations to fit")
    if kind == "exponential":
        return ServiceTime(mean=float(values.mean()), kind="exponential")
    logs = np.log(values)
    mu, sigma2 = float(logs.mean()), float(logs.var())
    mean = math.exp(mu + sigma2 / 2)
    cv = math.sqrt(math.expm1(sigma2)) if sigma2 > 0 else 1e-6
    return ServiceTime(mean=mean, cv=cv, kind="lognormal")


@dataclass(frozen=True)
class Target:
    """The service target: `share` of arrivals called within `minutes` (e.g. 90 % within 15 min)."""

    minutes: float
    share: float

    def __post_init__(self) -> None:
        if self.minutes < 0 or not (0 < self.share < 1):
            raise ValueError("target minutes must be ≥ 0 and share between 0 and 1")


@dataclass(frozen=True)
class Day:
    """One counter day's demand, by half-hour slot from opening."""

    walk_ins: tuple[float, ...]  # expected walk-in arrivals in each slot
    service: ServiceTime
    bookings: tuple[float, ...] = ()  # appointment times, minutes after opening
    mean_patience: float | None = None  # minutes; None: nobody leaves the queue
    no_show: float = 0.0  # share of bookings that never come
    punctuality_mean: float = 0.0  # minutes; negative: early
    punctuality_sd: float = 0.0
    opens_at: int = 8 * 60  # minutes after midnight (for labels only)
    slot_minutes: int = SLOT_MINUTES

    @property
    def n_slots(self) -> int:
        return len(self.walk_ins)

    @property
    def closes_after(self) -> float:
        return float(self.n_slots * self.slot_minutes)

    def expected_arrivals(self) -> np.ndarray:
        """Expected arrivals per slot (walk-ins plus shown bookings at their appointment slot)."""
        expected = np.asarray(self.walk_ins, dtype=float).copy()
        for minute in self.bookings:
            slot = min(int(minute // self.slot_minutes), self.n_slots - 1)
            expected[slot] += 1.0 - self.no_show
        return expected

    def slot_label(self, slot: int) -> str:
        start = self.opens_at + slot * self.slot_minutes
        return f"{start // 60:02d}:{start % 60:02d}"


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with the half-width of its 95 % confidence interval."""

    mean: float
    half_width: float

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.half_width:.3f}"


@dataclass(frozen=True)
class DayResult:
    """What the simulated days showed (waits in minutes, until called, of those called)."""

    replications: int
    arrivals: float  # mean residents per day (who came)
    share_within: Estimate  # share of arrivals called within the target time
    wait_p50: float  # pooled over replications
    wait_p90: float
    wait_p90_estimate: Estimate  # the per-replication 90th percentiles, averaged
    mean_wait: Estimate  # of those called
    mean_time_in_queue: Estimate  # of everyone who came (those who left: until they left)
    abandonment: Estimate  # share of arrivals who left before being called
    utilisation: Estimate  # busy window-minutes / rostered window-minutes
    slot_arrivals: tuple[int, ...]  # over all replications, by arrival slot
    slot_within: tuple[int, ...]  # called within target, by arrival slot
    waits: np.ndarray = field(repr=False)  # every called resident's wait, all replications
    slot_p90: tuple[float, ...] = ()  # 90th percentile wait of the called, by arrival slot (pooled)

    def slot_shares(self) -> list[float]:
        return [
            w / a if a else 1.0 for w, a in zip(self.slot_within, self.slot_arrivals, strict=True)
        ]

    def failing_slots(self, share: float) -> list[int]:
        return [s for s, value in enumerate(self.slot_shares()) if value < share]


def _t_quantile_975(df: int) -> float:
    """Student's t 97.5 % quantile (no SciPy import needed here: a table, then the normal)."""
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306}
    table |= {9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042}
    if df in table:
        return table[df]
    if df > 30:
        return 1.960 + 2.4 / df  # within 0.002 of the exact value for df > 30
    smaller = max(k for k in table if k < df)
    return table[smaller]  # conservative (wider) between table rows


def _estimate(values: Sequence[float]) -> Estimate:
    array = np.asarray(values, dtype=float)
    if array.size < 2:
        return Estimate(float(array.mean()) if array.size else math.nan, math.inf)
    half = _t_quantile_975(array.size - 1) * float(array.std(ddof=1)) / math.sqrt(array.size)
    return Estimate(float(array.mean()), half)


@dataclass
class _Residents:
    arrival: np.ndarray
    service: np.ndarray
    patience: np.ndarray


def draw_residents(day: Day, rng: np.random.Generator) -> _Residents:
    """One day's residents: arrival times (sorted), service times and patience."""
    close = day.closes_after
    times: list[np.ndarray] = []
    counts = rng.poisson(np.asarray(day.walk_ins, dtype=float))
    for slot, count in enumerate(counts):
        start = slot * day.slot_minutes
        times.append(start + rng.uniform(0.0, day.slot_minutes, count))
    if day.bookings:
        booked = np.asarray(day.bookings, dtype=float)
        shows = rng.random(booked.size) >= day.no_show
        noise = rng.normal(day.punctuality_mean, day.punctuality_sd, booked.size)
        if day.punctuality_sd == 0:
            noise = np.full(booked.size, day.punctuality_mean)
        # Early birds wait for the doors to open; nobody enters after closing.
        times.append(np.clip(booked[shows] + noise[shows], 0.0, np.nextafter(close, 0)))
    arrival = np.sort(np.concatenate(times)) if times else np.zeros(0)
    service = day.service.sample(rng, arrival.size)
    if day.mean_patience is None:
        patience = np.full(arrival.size, math.inf)
    else:
        patience = rng.exponential(day.mean_patience, arrival.size)
    return _Residents(arrival, service, patience)


def _run_day(
    residents: _Residents, windows: Sequence[int], slot_minutes: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Simulate one day in SimPy: each resident's wait until called (NaN: left), the minutes
    after which those who left gave up, and the busy window-minutes."""
    env = simpy.Environment()
    n = residents.arrival.size
    wait = np.full(n, np.nan)
    left_after = np.zeros(n)
    called = np.zeros(n, dtype=bool)
    gone = np.zeros(n, dtype=bool)
    queue: deque[int] = deque()
    capacity = max(windows) if windows else 0
    busy = [False] * capacity
    open_now = [windows[0] if windows else 0]  # windows 0 … open_now[0] − 1 call residents
    busy_minutes = [0.0]

    def next_in_queue() -> int | None:
        while queue:
            index = queue.popleft()
            if not gone[index]:
                return index
        return None

    def call(window: int, index: int) -> None:
        called[index] = True
        wait[index] = env.now - residents.arrival[index]
        busy[window] = True
        busy_minutes[0] += float(residents.service[index])
        done = env.timeout(float(residents.service[index]))
        done.callbacks.append(lambda _event: finished(window))

    def finished(window: int) -> None:
        busy[window] = False
        if window < open_now[0]:
            index = next_in_queue()
            if index is not None:
                call(window, index)

    def free_window() -> int | None:
        for window in range(open_now[0]):
            if not busy[window]:
                return window
        return None

    def arrive(index: int) -> None:
        window = free_window()
        if window is not None and not queue:
            call(window, index)
            return
        queue.append(index)
        patience = float(residents.patience[index])
        if math.isfinite(patience):
            leave = env.timeout(patience)
            leave.callbacks.append(lambda _event: give_up(index))
        # A window may be free while others queue only for an instant; serve in order.
        window = free_window()
        while window is not None:
            head = next_in_queue()
            if head is None:
                break
            call(window, head)
            window = free_window()

    def give_up(index: int) -> None:
        if not called[index]:
            gone[index] = True
            left_after[index] = env.now - residents.arrival[index]

    def roster() -> simpy.events.ProcessGenerator:
        for slot, count in enumerate(windows):
            if slot:
                yield env.timeout(slot * slot_minutes - env.now)
            open_now[0] = count
            window = free_window()
            while window is not None:
                head = next_in_queue()
                if head is None:
                    break
                call(window, head)
                window = free_window()

    def arrival_event(index: int, _event: simpy.Event) -> None:
        arrive(index)

    for index in range(n):
        event = env.timeout(float(residents.arrival[index]))
        event.callbacks.append(functools.partial(arrival_event, index))
    env.process(roster())
    env.run()
    # Anyone still queued when the last window stopped (a roster ending with 0 windows) never got called.
    for index in queue:
        if not called[index]:
            gone[index] = True
    return wait, left_after, busy_minutes[0]


def simulate_day(
    day: Day,
    windows: Sequence[int],
    *,
    target: Target,
    replications: int = 20,
    seed: int = 0,
    warmup_slots: int = 0,
) -> DayResult:
    """Simulate `replications` days under `windows` (open windows per slot); deterministic by seed.

    `warmup_slots`: residents arriving in the first slots are simulated but not counted (to
    compare with a steady-state formula).
    """
    windows = [int(w) for w in windows]
    if len(windows) != day.n_slots:
        raise ValueError(f"roster has {len(windows)} slots, the day has {day.n_slots}")
    if any(w < 0 for w in windows):
        raise ValueError("window counts must be ≥ 0")
    if replications < 1:
        raise ValueError("at least one replication")
    streams = np.random.SeedSequence(seed).spawn(replications)
    roster_minutes = sum(windows) * day.slot_minutes
    shares, p90s, means, abandoned, utilisation = [], [], [], [], []
    arrivals, queue_times = [], []
    slot_arrivals = np.zeros(day.n_slots, dtype=int)
    slot_within = np.zeros(day.n_slots, dtype=int)
    all_waits: list[np.ndarray] = []
    slot_waits: list[list[np.ndarray]] = [[] for _ in range(day.n_slots)]
    for stream in streams:
        residents = draw_residents(day, np.random.default_rng(stream))
        wait, left_after, busy_minutes = _run_day(residents, windows, day.slot_minutes)
        slots = np.minimum((residents.arrival // day.slot_minutes).astype(int), day.n_slots - 1)
        counted = slots >= warmup_slots
        wait, slots, left_after = wait[counted], slots[counted], left_after[counted]
        served = ~np.isnan(wait)
        within = served & (np.nan_to_num(wait, nan=math.inf) <= target.minutes + 1e-9)
        np.add.at(slot_arrivals, slots, 1)
        np.add.at(slot_within, slots[within], 1)
        count = wait.size
        arrivals.append(count)
        shares.append(within.sum() / count if count else 1.0)
        abandoned.append((~served).sum() / count if count else 0.0)
        served_waits = wait[served]
        all_waits.append(served_waits)
        for slot in range(day.n_slots):
            slot_waits[slot].append(served_waits[slots[served] == slot])
        p90s.append(float(np.percentile(served_waits, 90)) if served_waits.size else 0.0)
        means.append(float(served_waits.mean()) if served_waits.size else 0.0)
        queue_times.append(float(np.where(served, wait, left_after).mean()) if count else 0.0)
        utilisation.append(busy_minutes / roster_minutes if roster_minutes else 0.0)
    waits = np.concatenate(all_waits) if all_waits else np.zeros(0)
    return DayResult(
        replications=replications,
        arrivals=float(np.mean(arrivals)),
        share_within=_estimate(shares),
        wait_p50=float(np.percentile(waits, 50)) if waits.size else 0.0,
        wait_p90=float(np.percentile(waits, 90)) if waits.size else 0.0,
        wait_p90_estimate=_estimate(p90s),
        mean_wait=_estimate(means),
        mean_time_in_queue=_estimate(queue_times),
        abandonment=_estimate(abandoned),
        utilisation=_estimate(utilisation),
        slot_arrivals=tuple(int(v) for v in slot_arrivals),
        slot_within=tuple(int(v) for v in slot_within),
        waits=waits,
        slot_p90=tuple(_pooled_p90(parts) for parts in slot_waits),
    )


def _pooled_p90(parts: list[np.ndarray]) -> float:
    pooled = np.concatenate(parts) if parts else np.zeros(0)
    return float(np.percentile(pooled, 90)) if pooled.size else 0.0
