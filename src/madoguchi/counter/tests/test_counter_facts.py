"""The counter's read contract: service times with and without pre-input, from the events."""

from __future__ import annotations

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.counter import facts, services
from madoguchi.counter.models import CounterCase
from madoguchi.counter.tests.counter_forms import counter_form_version, timed_case
from madoguchi.tenancy.access import Scope

pytestmark = pytest.mark.django_db


def test_times_with_and_without_pre_input_are_compared_per_day():
    version = counter_form_version()
    town = version.procedure.municipality
    clerk = StaffUserFactory(municipality=town, counter=True)
    timed_case(
        version, clerk, CounterCase.Source.PREINPUT_TOKEN, confirm_after=100, print_after=130
    )
    timed_case(
        version, clerk, CounterCase.Source.PREINPUT_PAYLOAD, confirm_after=200, print_after=230
    )
    timed_case(version, clerk, CounterCase.Source.INTERVIEW, confirm_after=600, print_after=640)
    services.counter_case_open(staff=clerk, procedure=version.procedure, form_version=version)
    other = counter_form_version()  # another municipality: not in this scope
    timed_case(
        other,
        StaffUserFactory(municipality=other.procedure.municipality, counter=True),
        CounterCase.Source.INTERVIEW,
        confirm_after=1,
    )
    today = timezone.localdate()
    rows = facts.counter_days(scope=Scope.of_municipality(town), first=today, last=today)
    by = {r.with_preinput: r for r in rows}
    assert set(by) == {True, False}
    assert (by[True].started, by[True].confirmed, by[True].printed) == (2, 2, 2)
    assert by[True].mean_seconds_to_confirm == pytest.approx(150, abs=0.01)
    assert by[True].mean_seconds_to_print == pytest.approx(180, abs=0.01)
    assert (by[False].started, by[False].confirmed) == (2, 1)
    assert by[False].mean_seconds_to_print == pytest.approx(640, abs=0.01)
    assert all(r.municipality_id == town.pk and r.day == today for r in rows)
