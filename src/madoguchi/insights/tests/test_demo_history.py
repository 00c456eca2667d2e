"""The demo year: every dashboard has data, with the March–April peak, no-shows and abandonment."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from madoguchi import demo_history
from madoguchi.demo import demo_load
from madoguchi.reservations.models import Booking, Ticket

pytestmark = pytest.mark.django_db


def test_demo_history_has_the_season_no_shows_and_abandonment() -> None:
    municipality = demo_load()
    call_command("reservations_demo", municipality.code, verbosity=0)
    counts = demo_history.generate(municipality, days=120, scale=0.4, today=date(2026, 6, 1))
    assert min(counts.values()) > 0
    tickets = Ticket.objects.filter(municipality=municipality)
    march = tickets.filter(day__month=3).count()
    may = tickets.filter(day__month=5).count()
    assert march > 1.2 * may  # the moving season
    assert tickets.filter(status=Ticket.Status.NO_SHOW).exists()  # walk-ins who gave up
    assert Booking.objects.filter(municipality=municipality, status=Booking.Status.BOOKED).exists()
    assert demo_history.history_exists(municipality)
    # The shapes come from the evaluation file when it is there, else from the constants.
    shapes = demo_history.load_shapes()
    assert abs(sum(shapes.hours.values()) - 1) < 1e-6
    assert shapes.hours[10] > shapes.hours[16]
