"""Erlang C and Erlang A: published worked examples, independent computations, properties."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.insights.staffing.erlang import (
    agents_needed,
    erlang_a_figures,
    erlang_b,
    erlang_c,
    erlang_c_figures,
)


def test_call_centre_helper_worked_example() -> None:
    # Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example":
    # 100 calls in 30 minutes, 3-minute handling time, 80 % answered within 20 seconds →
    # traffic 10 Erlangs, 14 agents, probability of waiting 17.4 %, service level 88.8 %, ASA 7.8 s.
    figures = agents_needed(
        arrival_rate=100 / 30, mean_service=3.0, target_time=20 / 60, target_share=0.8
    )
    assert figures.agents == 14
    assert round(figures.service_level, 3) == 0.888
    assert round(figures.wait_probability, 3) == 0.174
    assert round(figures.mean_wait * 60, 1) == 7.8
    # 13 agents fall short (the example's iteration step before 14).
    thirteen = erlang_c_figures(
        arrival_rate=100 / 30, mean_service=3.0, agents=13, target_time=20 / 60
    )
    assert thirteen.service_level < 0.8


def test_erlang_b_table_values() -> None:
    # Standard Erlang B tables: 5 trunks at 2 Erlangs → 0.0367; 10 trunks at 10 Erlangs → 0.2146.
    assert erlang_b(5, 2.0) == pytest.approx(0.0367, abs=5e-5)
    assert erlang_b(10, 10.0) == pytest.approx(0.2146, abs=5e-5)


def _erlang_c_exact(agents: int, load: Fraction) -> Fraction:
    """The textbook formula in exact rational arithmetic (only for small cases)."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    bottom = sum(load**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


@pytest.mark.parametrize(("agents", "load"), [(1, "1/2"), (3, "2"), (14, "10"), (30, "57/2")])
def test_erlang_c_matches_the_textbook_formula(agents: int, load: str) -> None:
    exact = float(_erlang_c_exact(agents, Fraction(load)))
    assert erlang_c(agents, float(Fraction(load))) == pytest.approx(exact, rel=1e-12)


def test_erlang_c_is_stable_for_large_loads() -> None:
    # 1000 Erlangs: aⁿ/n! overflows a float, the Erlang B recursion does not. Against the
    # Halfin–Whitt approximation P(wait) ≈ 1 / (1 + β·Φ(β)/φ(β)), β = (n − a)/√a.
    load, agents = 1000.0, 1050
    beta = (agents - load) / math.sqrt(load)
    phi = math.exp(-(beta**2) / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(beta / math.sqrt(2)))
    approximation = 1 / (1 + beta * big_phi / phi)
    value = erlang_c(agents, load)
    assert math.isfinite(value)
    assert value == pytest.approx(approximation, abs=0.01)
    figures = agents_needed(
        arrival_rate=5000.0, mean_service=2.0, target_time=0.2, target_share=0.9
    )
    assert 10_000 < figures.agents < 10_200


def test_overloaded_erlang_c_has_no_service_level() -> None:
    figures = erlang_c_figures(arrival_rate=1.0, mean_service=5.0, agents=5, target_time=1.0)
    assert figures.service_level == 0.0
    assert figures.wait_probability == 1.0
    assert figures.mean_wait == math.inf


def _erlang_a_by_chain(
    arrival_rate: float, mean_service: float, agents: int, mean_patience: float
) -> tuple[float, float, float]:
    """P(wait > 0), P(abandon) and the mean wait from the birth–death chain, truncated."""
    mu, theta = 1 / mean_service, 1 / mean_patience
    size = agents + 4000
    log_p = np.zeros(size)
    for state in range(1, size):
        death = min(state, agents) * mu + max(0, state - agents) * theta
        log_p[state] = log_p[state - 1] + math.log(arrival_rate) - math.log(death)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queued = np.maximum(np.arange(size) - agents, 0)
    wait_probability = float(p[agents:].sum())
    abandon_rate = float((p * queued).sum()) * theta
    mean_queue = float((p * queued).sum())
    return wait_probability, abandon_rate / arrival_rate, mean_queue / arrival_rate


@pytest.mark.parametrize(
    ("rate", "service", "agents", "patience"),
    [(10 / 3, 3.0, 12, 2.0), (2.0, 5.0, 8, 10.0), (2000 / 60, 3.0, 80, 2.0), (0.5, 4.0, 1, 1.0)],
)
def test_erlang_a_matches_the_birth_death_chain(
    rate: float, service: float, agents: int, patience: float
) -> None:
    figures = erlang_a_figures(
        arrival_rate=rate,
        mean_service=service,
        agents=agents,
        target_time=0.5,
        mean_patience=patience,
    )
    wait_probability, abandon, mean_wait = _erlang_a_by_chain(rate, service, agents, patience)
    assert figures.wait_probability == pytest.approx(wait_probability, rel=1e-9)
    assert figures.abandon_probability == pytest.approx(abandon, rel=1e-9)
    assert figures.mean_wait == pytest.approx(mean_wait, rel=1e-9)


def test_erlang_a_approaches_erlang_c_as_patience_grows() -> None:
    c = erlang_c_figures(arrival_rate=10 / 3, mean_service=3.0, agents=14, target_time=1 / 3)
    a = erlang_a_figures(
        arrival_rate=10 / 3, mean_service=3.0, agents=14, target_time=1 / 3, mean_patience=3e4
    )
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-4)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-4)
    assert a.mean_wait == pytest.approx(c.mean_wait, rel=1e-3)


def test_erlang_a_overloaded_stays_finite() -> None:
    # Twice the arrivals the windows can serve: people leave, the queue stays finite.
    figures = erlang_a_figures(
        arrival_rate=40.0, mean_service=1.0, agents=20, target_time=0.5, mean_patience=5.0
    )
    assert 0.45 < figures.abandon_probability < 0.55
    assert 0 <= figures.service_level < 0.1
    assert math.isfinite(figures.mean_wait)


@pytest.mark.parametrize("bad", [{"arrival_rate": -1.0}, {"mean_service": 0.0}, {"agents": -1}])
def test_bad_input_is_refused(bad: dict[str, float]) -> None:
    arguments = {"arrival_rate": 1.0, "mean_service": 1.0, "agents": 2, "target_time": 0.5} | bad
    with pytest.raises(ValueError):
        erlang_c_figures(**arguments)  # type: ignore[arg-type]


rates = st.floats(min_value=0.01, max_value=20.0)
services = st.floats(min_value=0.1, max_value=20.0)
patiences = st.floats(min_value=0.2, max_value=60.0)
targets = st.floats(min_value=0.0, max_value=30.0)


@settings(max_examples=60, deadline=None)
@given(rate=rates, service=services, target=targets, agents=st.integers(0, 120))
def test_more_agents_never_lower_the_erlang_c_service_level(
    rate: float, service: float, target: float, agents: int
) -> None:
    now = erlang_c_figures(
        arrival_rate=rate, mean_service=service, agents=agents, target_time=target
    )
    more = erlang_c_figures(
        arrival_rate=rate, mean_service=service, agents=agents + 1, target_time=target
    )
    assert more.service_level >= now.service_level - 1e-12
    assert more.wait_probability <= now.wait_probability + 1e-12


@settings(max_examples=60, deadline=None)
@given(rate=rates, service=services, patience=patiences, target=targets, agents=st.integers(0, 80))
def test_more_agents_never_lower_the_erlang_a_service_level(
    rate: float, service: float, patience: float, target: float, agents: int
) -> None:
    common = {
        "arrival_rate": rate,
        "mean_service": service,
        "target_time": target,
        "mean_patience": patience,
    }
    now = erlang_a_figures(agents=agents, **common)
    more = erlang_a_figures(agents=agents + 1, **common)
    assert more.service_level >= now.service_level - 1e-9
    assert 0.0 <= now.service_level <= 1.0
    assert 0.0 <= now.abandon_probability <= now.wait_probability + 1e-12


@settings(max_examples=60, deadline=None)
@given(rate=rates, service=services, patience=patiences, agents=st.integers(1, 80))
def test_erlang_c_waits_at_least_as_often_as_erlang_a(
    rate: float, service: float, patience: float, agents: int
) -> None:
    c = erlang_c_figures(arrival_rate=rate, mean_service=service, agents=agents, target_time=0.0)
    a = erlang_a_figures(
        arrival_rate=rate,
        mean_service=service,
        agents=agents,
        target_time=0.0,
        mean_patience=patience,
    )
    assert c.wait_probability >= a.wait_probability - 1e-12


@settings(max_examples=40, deadline=None)
@given(
    rate=rates,
    service=services,
    target=targets,
    share=st.floats(min_value=0.05, max_value=0.99),
)
def test_agents_needed_is_the_smallest_meeting_the_target(
    rate: float, service: float, target: float, share: float
) -> None:
    figures = agents_needed(
        arrival_rate=rate, mean_service=service, target_time=target, target_share=share
    )
    assert figures.service_level >= share
    fewer = erlang_c_figures(
        arrival_rate=rate, mean_service=service, agents=figures.agents - 1, target_time=target
    )
    assert fewer.service_level < share
