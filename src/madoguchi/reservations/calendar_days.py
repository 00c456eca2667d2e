"""Which days and hours the hall is open: weekly hours, exceptions, national holidays, 年末年始."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import jpholiday
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core.localized_text import NO_TEXT, LocalizedText, localized
from madoguchi.tenancy.models import Municipality, OpeningHours

from .models import CalendarException, ReservationPolicy


def is_year_end(day: date) -> bool:
    """12月29日〜1月3日, closed in every municipality by law (地方自治法の休日条例)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@dataclass(frozen=True)
class DayHours:
    day: date
    periods: tuple[tuple[time, time], ...]
    # Why the day is closed: the municipality's note (with its language) or a reason of our own.
    closed_reason: LocalizedText = NO_TEXT

    @property
    def is_open(self) -> bool:
        return bool(self.periods)


class HallCalendar:
    """Opening hours of one municipality for a range of days, loaded with two queries."""

    def __init__(
        self, *, municipality: Municipality, policy: ReservationPolicy, first: date, last: date
    ) -> None:
        self.policy = policy
        self.weekly: dict[int, list[tuple[time, time]]] = {}
        for hours in OpeningHours.objects.filter(municipality=municipality):
            self.weekly.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
        self.exceptions = {
            e.date: e
            for e in CalendarException.objects.for_municipality(municipality).filter(
                date__gte=first, date__lte=last
            )
        }

    def hours(self, day: date) -> DayHours:
        exception = self.exceptions.get(day)
        if exception is not None:
            if exception.closed or exception.opens is None or exception.closes is None:
                note = localized(exception, "note")
                return DayHours(day, (), note or LocalizedText.ui(_("閉庁日")))
            return DayHours(day, ((exception.opens, exception.closes),))
        if self.policy.closed_year_end and is_year_end(day):
            return DayHours(day, (), LocalizedText.ui(_("年末年始の閉庁日")))
        if self.policy.closed_on_national_holidays:
            holiday = jpholiday.is_holiday_name(day)
            if holiday:
                reason = _("%(name)s（祝日）") % {"name": holiday}
                return DayHours(day, (), LocalizedText.ui(reason))
        periods = tuple(sorted(self.weekly.get(day.weekday(), [])))
        if not periods:
            return DayHours(day, (), LocalizedText.ui(_("閉庁日")))
        return DayHours(day, periods)

    def slot_starts(self, day: date) -> list[datetime]:
        """Aware start times of the day's slots; a slot must end by closing time."""
        tz = timezone.get_default_timezone()
        step = timedelta(minutes=self.policy.slot_minutes)
        starts: list[datetime] = []
        for opens, closes in self.hours(day).periods:
            # Wall-clock arithmetic on an aware datetime: one make_aware per period.
            at = timezone.make_aware(datetime.combine(day, opens), tz)
            end = timezone.make_aware(datetime.combine(day, closes), tz)
            while at + step <= end:
                starts.append(at)
                at += step
        return starts
