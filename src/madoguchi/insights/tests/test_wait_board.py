"""The public wait board and the dashboards read service times by one rule (reservations/facts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.insights import selectors
from madoguchi.reservations import selectors as hall_selectors
from madoguchi.reservations.models import Ticket
from madoguchi.reservations.tests.factories import at, hall, working_day
from madoguchi.tenancy.access import Scope

from .factories import ticket

pytestmark = pytest.mark.django_db


def test_the_board_estimates_from_the_dashboards_mean_service_time() -> None:
    municipality, service, _windows = hall(windows=1)
    day = working_day(timezone.localdate() - timedelta(days=1))
    # Service times 4, 6 and 11 minutes; one ticket "finished" before it started (a bad clock)
    # and one without a start: neither is a measured service time, on the board or the dashboard.
    for number, (start, minutes) in enumerate(((0, 4), (10, 6), (20, 11), (40, -3)), start=1):
        ticket(
            municipality,
            service,
            day,
            number,
            issued=at(day, 9, 0),
            called_at=at(day, 9, start),
            started_at=at(day, 9, start),
            finished_at=at(day, 9, start) + timedelta(minutes=minutes),
        )
    ticket(municipality, service, day, 5, issued=at(day, 9, 0), finished_at=at(day, 9, 50))
    for number in range(6, 9):
        ticket(
            municipality, service, day, number, issued=at(day, 9, 55), status=Ticket.Status.WAITING
        )

    (wait,) = hall_selectors.service_waits(municipality=municipality, now=at(day, 10, 0))
    board = selectors.dashboard(
        scope=Scope.of_municipality(municipality),
        filters=selectors.Filters(first=day, last=day),
        targets=selectors.Targets(),
        now=at(day, 10, 0),
    )
    waits = board.table("waits")
    assert waits is not None
    (row,) = waits.rows
    mean_column = waits.columns.index("対応時間 平均（分）")
    assert wait.measured
    assert f"{wait.minutes_per_visit:.1f}" == row[mean_column] == "7.0"
    assert wait.estimate_minutes == 21  # 3 waiting × 7 minutes at one window
