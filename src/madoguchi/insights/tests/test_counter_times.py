"""The dashboard's counter-mode table: measured minutes with and without pre-input, read through
the counter's read contract (counter/facts.py) for the manager's own municipality only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.counter.models import CounterCase
from madoguchi.counter.tests.counter_forms import counter_form_version, timed_case
from madoguchi.insights import selectors
from madoguchi.tenancy.access import Scope

pytestmark = pytest.mark.django_db


def test_the_dashboard_compares_counter_minutes_with_and_without_pre_input():
    version = counter_form_version()
    town = version.procedure.municipality
    clerk = StaffUserFactory(municipality=town, counter=True)
    timed_case(
        version, clerk, CounterCase.Source.PREINPUT_TOKEN, confirm_after=120, print_after=180
    )
    timed_case(
        version, clerk, CounterCase.Source.PREINPUT_PAYLOAD, confirm_after=240, print_after=300
    )
    timed_case(version, clerk, CounterCase.Source.INTERVIEW, confirm_after=720, print_after=780)
    other = counter_form_version()  # another town's 1-second case must not move the means
    timed_case(
        other,
        StaffUserFactory(municipality=other.procedure.municipality, counter=True),
        CounterCase.Source.INTERVIEW,
        confirm_after=1,
        print_after=2,
    )
    today = timezone.localdate()
    board = selectors.dashboard(
        scope=Scope.of_municipality(town),
        filters=selectors.Filters(first=today, last=today),
        targets=selectors.Targets(),
    )
    table = next(t for t in board.tables if t.slug == "counter-times")
    name = version.procedure.name
    assert table.rows == [
        [name, "事前入力あり", 2, 3.0, 4.0],
        [name, "窓口で入力", 1, 12.0, 13.0],
    ]


def test_hours_saved_by_pre_input_come_from_the_measured_difference_of_the_towns_own_cases():
    version = counter_form_version()
    town = version.procedure.municipality
    clerk = StaffUserFactory(municipality=town, counter=True)
    # Pre-input: 2 and 4 minutes to confirmation (mean 3); typed at the desk: 12 minutes.
    for seconds in (120, 240):
        timed_case(version, clerk, CounterCase.Source.PREINPUT_TOKEN, confirm_after=seconds)
    timed_case(version, clerk, CounterCase.Source.INTERVIEW, confirm_after=720)
    # A procedure measured with pre-input only has nothing to compare with: not counted.
    only_preinput = counter_form_version(procedure__municipality=town)
    timed_case(only_preinput, clerk, CounterCase.Source.PREINPUT_TOKEN, confirm_after=60)
    # Another town's slow desk and fast pre-input must not move this town's figure.
    other = counter_form_version()
    other_clerk = StaffUserFactory(municipality=other.procedure.municipality, counter=True)
    timed_case(other, other_clerk, CounterCase.Source.INTERVIEW, confirm_after=7200)
    timed_case(other, other_clerk, CounterCase.Source.PREINPUT_TOKEN, confirm_after=1)

    today = timezone.localdate()
    board = selectors.dashboard(
        scope=Scope.of_municipality(town),
        filters=selectors.Filters(first=today, last=today),
        targets=selectors.Targets(),
    )
    # 2 pre-input forms × (12 − 3) minutes = 18 minutes = 0.3 hours.
    hours = board.table("hours-saved")
    assert hours is not None
    assert [row[4:] for row in hours.rows] == [[2, "0.3"]]
    kpis = {k.label: k.value for k in board.kpis}
    assert kpis["事前入力で減った窓口時間"] == "0.3 時間"
    assert "事前入力" in board.assumption

    other_board = selectors.dashboard(
        scope=Scope.of_municipality(other.procedure.municipality),
        filters=selectors.Filters(first=today, last=today),
        targets=selectors.Targets(),
    )
    other_hours = other_board.table("hours-saved")
    assert other_hours is not None
    # 1 form × (120 − 0.0167) minutes ≈ 2.0 hours.
    assert [row[4:] for row in other_hours.rows] == [[1, "2.0"]]
