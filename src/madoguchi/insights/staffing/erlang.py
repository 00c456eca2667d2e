"""Erlang C (M/M/n) and Erlang A (M/M/n+M) in plain floating point, stable for large loads.

Units: any time unit, as long as rates and durations agree (the command uses hours and minutes).
Offered load a = arrival rate × mean service time (in Erlangs).

Erlang C comes from the Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)), which never overflows
(unlike aⁿ/n!), then C = n·B / (n − a·(1 − B)).

Erlang A (Palm's queue with exponential patience, Mandelbaum & Zeltyn 2004, "The Palm/Erlang-A queue,
with applications to call centers") uses x = n·μ/θ and y = λ/θ (θ = 1/patience mean) and the series
A(x, y) = Σⱼ yʲ / ((x+1)(x+2)…(x+j)) = x·eʸ·y⁻ˣ·γ(x, y), summed in log space so that overloaded
cases (y ≫ x) do not overflow. From it:
  P(wait > 0)              = A·B / (1 + (A − 1)·B)           (B = Erlang B with n servers, load λ/μ)
  P(V > t | V > 0)         = γ(x, y·e^(−θt)) / γ(x, y)        (V: the wait an infinitely patient caller would have)
  P(called within t | V>0) = (γ(x+1, y) − γ(x+1, y·e^(−θt))) / (y·γ(x, y))
  mean wait                = P(abandon) / θ                  (Little's law on the abandoning flow)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A bound on agents searched by `agents_needed` (a counter hall, or a large call centre).
MAX_AGENTS = 100_000
# Patience this many times the service time counts as infinite (Erlang A → Erlang C).
PATIENCE_AS_INFINITE = 1e6


@dataclass(frozen=True)
class QueueFigures:
    """What one staffing level gives: all shares in [0, 1], the mean wait in the rates' time unit."""

    agents: int
    service_level: float  # share of arrivals called within the target time
    wait_probability: float  # share of arrivals who wait at all
    mean_wait: float  # mean wait of all arrivals (math.inf when the queue grows without bound)
    abandon_probability: float = 0.0  # Erlang A only


def _check(arrival_rate: float, mean_service: float, agents: int) -> None:
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0):
        raise ValueError("arrival rate must be a finite number ≥ 0")
    if not (math.isfinite(mean_service) and mean_service > 0):
        raise ValueError("mean service time must be a finite number > 0")
    if agents < 0:
        raise ValueError("agents must be ≥ 0")


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/n/n with offered load `load` (Erlangs)."""
    if agents < 0 or load < 0 or not math.isfinite(load):
        raise ValueError("agents and load must be ≥ 0")
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that an arrival waits in M/M/n (1 when the load is at or above the agents)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1.0 - b))


def erlang_c_figures(
    *, arrival_rate: float, mean_service: float, agents: int, target_time: float
) -> QueueFigures:
    """Erlang C figures for `agents` windows; `target_time` in the same unit as `mean_service`."""
    _check(arrival_rate, mean_service, agents)
    if target_time < 0:
        raise ValueError("target time must be ≥ 0")
    load = arrival_rate * mean_service
    if load == 0:
        return QueueFigures(agents, 1.0, 0.0, 0.0)
    if agents <= load:
        return QueueFigures(agents, 0.0, 1.0, math.inf)
    c = erlang_c(agents, load)
    service_level = 1.0 - c * math.exp(-(agents - load) * target_time / mean_service)
    mean_wait = c * mean_service / (agents - load)
    return QueueFigures(agents, max(0.0, service_level), c, mean_wait)


def _log_series(x: float, y: float) -> float:
    """log A(x, y) = log Σⱼ≥0 yʲ / ((x+1)…(x+j)), terms added in log space until negligible."""
    if y <= 0:
        return 0.0  # only the j = 0 term
    log_term = 0.0
    total = 1.0  # Σ exp(log_term − shift), shift = the first term's log (0)
    shift = 0.0
    j = 0
    while True:
        j += 1
        log_term += math.log(y) - math.log(x + j)
        if log_term > shift:
            # Rescale so the running sum stays near 1 (terms grow while x + j < y).
            total = total * math.exp(shift - log_term) + 1.0
            shift = log_term
        else:
            contribution = math.exp(log_term - shift)
            total += contribution
            # Past the peak the ratio y/(x+j) < 1 and falls: the tail is below term·r/(1−r).
            ratio = y / (x + j + 1)
            if ratio < 1 and contribution * ratio / (1 - ratio) < 1e-16 * total:
                break
        if j > 10_000_000:  # a guard; reachable only with absurd inputs (patience ≫ anything)
            break
    return shift + math.log(total)


def _log_lower_gamma(a: float, z: float) -> float:
    """log γ(a, z) (the lower incomplete gamma function) for a > 0, z > 0, via the same series."""
    return _log_series(a, z) + a * math.log(z) - z - math.log(a)


def erlang_a_figures(
    *,
    arrival_rate: float,
    mean_service: float,
    agents: int,
    target_time: float,
    mean_patience: float,
) -> QueueFigures:
    """Erlang A figures: callers leave after an exponential patience with mean `mean_patience`.

    `service_level` counts those called within the target time among all arrivals (those who leave
    are not called, whenever they leave). With `mean_patience` = ∞ (or above a million service times) this is Erlang C.
    """
    _check(arrival_rate, mean_service, agents)
    if target_time < 0:
        raise ValueError("target time must be ≥ 0")
    if not mean_patience > 0:
        raise ValueError("mean patience must be > 0")
    if mean_patience >= PATIENCE_AS_INFINITE * mean_service:
        # So patient that nobody leaves: Erlang C (the series' rounding would swamp θ here).
        return erlang_c_figures(
            arrival_rate=arrival_rate,
            mean_service=mean_service,
            agents=agents,
            target_time=target_time,
        )
    if arrival_rate == 0:
        return QueueFigures(agents, 1.0, 0.0, 0.0)
    theta = 1.0 / mean_patience
    mu = 1.0 / mean_service
    y = arrival_rate / theta
    if agents == 0:
        # Nobody is ever called: everyone leaves after their patience.
        return QueueFigures(0, 0.0, 1.0, mean_patience, 1.0)
    x = agents * mu / theta
    b = erlang_b(agents, arrival_rate * mean_service)
    log_a = _log_series(x, y)
    # P(W > 0) = A·B / (1 + (A − 1)·B) = B / (B + (1 − B)/A), with 1/A small when overloaded.
    wait_probability = b / (b + (1.0 - b) * math.exp(-log_a))
    log_gamma_x_y = _log_lower_gamma(x, y)
    # E[e^(−θV); V ≤ ∞ | V > 0] = γ(x+1, y) / (y·γ(x, y)): the share of the delayed who are served.
    served_given_wait = math.exp(_log_lower_gamma(x + 1, y) - math.log(y) - log_gamma_x_y)
    abandon_probability = wait_probability * max(0.0, 1.0 - served_given_wait)
    z_t = y * math.exp(-theta * target_time)
    if target_time == 0 or z_t <= 0:
        late = served_given_wait if target_time == 0 else 0.0
    else:
        late = math.exp(_log_lower_gamma(x + 1, z_t) - math.log(y) - log_gamma_x_y)
    called_within_given_wait = max(0.0, served_given_wait - late)
    service_level = (1.0 - wait_probability) + wait_probability * called_within_given_wait
    mean_wait = abandon_probability / theta
    return QueueFigures(
        agents, min(1.0, service_level), wait_probability, mean_wait, abandon_probability
    )


def agents_needed(
    *,
    arrival_rate: float,
    mean_service: float,
    target_time: float,
    target_share: float,
    mean_patience: float | None = None,
    minimum: int = 0,
) -> QueueFigures:
    """The smallest number of agents (≥ `minimum`) whose service level meets `target_share`.

    Erlang C when `mean_patience` is None, Erlang A otherwise. The service level rises with the
    agents, so the search walks up from the stable minimum (⌊load⌋ + 1 for Erlang C).
    """
    if not (0 < target_share < 1):
        raise ValueError("target share must be between 0 and 1 (e.g. 0.8)")
    _check(arrival_rate, mean_service, minimum)
    load = arrival_rate * mean_service
    if mean_patience is None:
        start = max(minimum, math.floor(load) + 1 if load > 0 else 0)
    else:
        start = minimum
    for agents in range(start, MAX_AGENTS + 1):
        if mean_patience is None:
            figures = erlang_c_figures(
                arrival_rate=arrival_rate,
                mean_service=mean_service,
                agents=agents,
                target_time=target_time,
            )
        else:
            figures = erlang_a_figures(
                arrival_rate=arrival_rate,
                mean_service=mean_service,
                agents=agents,
                target_time=target_time,
                mean_patience=mean_patience,
            )
        if figures.service_level >= target_share:
            return figures
    raise ValueError(f"no staffing up to {MAX_AGENTS} agents meets the target")
