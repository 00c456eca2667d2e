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
