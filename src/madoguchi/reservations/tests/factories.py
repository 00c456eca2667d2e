from __future__ import annotations

from datetime import date, datetime, time, timedelta

import factory
import jpholiday
from django.utils import timezone

from madoguchi.reservations.calendar_days import is_year_end
from madoguchi.reservations.models import ReservationPolicy, Service, Window
from madoguchi.tenancy.models import OpeningHours
from madoguchi.tenancy.tests.factories import MunicipalityFactory


class ReservationPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReservationPolicy
        django_get_or_create = ("municipality",)

    municipality = factory.SubFactory(MunicipalityFactory)
    slot_minutes = 15
    walk_in_share_percent = 0
    booking_lead_minutes = 0


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"証明書の発行{n}")
    name_en = "Certificates"
    series = factory.Sequence(lambda n: "ABCDEFGHJKLMNPQRSTUVWXYZ"[n % 24])
    standard_minutes = 10


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    label = factory.Sequence(lambda n: str(n + 1))
    name = factory.LazyAttribute(lambda o: f"{o.label}番窓口")

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            obj.services.set(extracted)


def open_weekdays(municipality, opens=time(8, 30), closes=time(17, 15)):  # type: ignore[no-untyped-def]
    for weekday in range(5):
        OpeningHours.objects.get_or_create(
            municipality=municipality, weekday=weekday, opens=opens, closes=closes
        )


def hall(*, windows: int = 3, walk_in_share_percent: int = 0, municipality=None):  # type: ignore[no-untyped-def]
    """A municipality open on weekdays with one service handled by `windows` windows."""
    municipality = municipality or MunicipalityFactory()
    open_weekdays(municipality)
    ReservationPolicyFactory(municipality=municipality, walk_in_share_percent=walk_in_share_percent)
    service = ServiceFactory(municipality=municipality, series="A")
    made = [WindowFactory(municipality=municipality, services=[service]) for _ in range(windows)]
    return municipality, service, made


def working_day(after: date, *, skip: int = 0) -> date:
    """The first weekday after `after` that is no holiday and not 年末年始 (then `skip` more)."""
    day = after
    while True:
        day += timedelta(days=1)
        if day.weekday() < 5 and not jpholiday.is_holiday(day) and not is_year_end(day):
            if skip == 0:
                return day
            skip -= 1


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def open_today_all_day(municipality):  # type: ignore[no-untyped-def]
    """Whatever day and hour the suite runs (a Sunday, a holiday, at night), the hall is open."""
    from madoguchi.reservations.models import CalendarException

    CalendarException.objects.update_or_create(
        municipality=municipality,
        date=timezone.localdate(),
        defaults={"closed": False, "opens": time(0, 0), "closes": time(23, 59)},
    )
