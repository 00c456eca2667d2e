"""What Madoguchi measured per municipality: applications, bookings and FAQ questions, the
shares the DX survey pre-fills and the effects the good-practice library pre-fills.

Read through each app's read contract (its selectors), never its models, so region stays a
reader of the apps below it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from madoguchi.applications import facts as application_facts
from madoguchi.applications.selectors import application_counts_by_municipality
from madoguchi.counter.selectors import preinput_redemption_counts
from madoguchi.faq.selectors import question_counts_by_municipality
from madoguchi.insights import selectors as insights
from madoguchi.reservations import facts as visit_facts
from madoguchi.reservations.selectors import booking_counts_by_municipality
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality

from .models import Measured, UsageSource


@dataclass(frozen=True)
class MeasuredUsage:
    applications: int = 0
    bookings: int = 0
    faq_questions: int = 0

    @property
    def total(self) -> int:
        return self.applications + self.bookings + self.faq_questions

    def value(self, source: str) -> int:
        """The figure an agreement's usage source names (ALL: the three together)."""
        return {
            UsageSource.APPLICATIONS: self.applications,
            UsageSource.BOOKINGS: self.bookings,
            UsageSource.FAQ_QUESTIONS: self.faq_questions,
        }.get(UsageSource(source), self.total)


def measured_usage(*, scope: Scope, first: date, last: date) -> dict[int, MeasuredUsage]:
    """Usage per municipality id in the scope, local days `first` through `last`."""
    applications = application_counts_by_municipality(scope=scope, first=first, last=last)
    bookings = booking_counts_by_municipality(scope=scope, first=first, last=last)
    questions = question_counts_by_municipality(scope=scope, first=first, last=last)
    return {
        m.pk: MeasuredUsage(
            applications=applications.get(m.pk, 0),
            bookings=bookings.get(m.pk, 0),
            faq_questions=questions.get(m.pk, 0),
        )
        for m in scope.municipalities()
    }


@dataclass(frozen=True)
class MeasuredShares:
    """What the DX survey pre-fills: shares in percent (None when there is nothing to divide)."""

    applications: int = 0
    online: int = 0
    counter: int = 0
    preinput: int = 0

    @property
    def online_share(self) -> int | None:
        return round(100 * self.online / self.applications) if self.applications else None

    @property
    def preinput_share(self) -> int | None:
        if not self.counter:
            return None
        return min(100, round(100 * self.preinput / self.counter))

    def value(self, measured: str) -> int | None:
        if measured == Measured.ONLINE_SHARE:
            return self.online_share
        if measured == Measured.PREINPUT_SHARE:
            return self.preinput_share
        return None


def measured_shares(*, scope: Scope, first: date, last: date) -> dict[int, MeasuredShares]:
    """Online share of applications and pre-input use at the counter per municipality id,
    local days `first` through `last` (applications' and counter's read contracts)."""
    total: dict[int, int] = {}
    online: dict[int, int] = {}
    counter: dict[int, int] = {}
    online_channels = {str(c) for c in application_facts.ONLINE_CHANNELS}
    for row in application_facts.application_counts(scope=scope, first=first, last=last):
        total[row.municipality_id] = total.get(row.municipality_id, 0) + row.count
        if row.channel in online_channels:
            online[row.municipality_id] = online.get(row.municipality_id, 0) + row.count
        elif row.channel == "counter":
            counter[row.municipality_id] = counter.get(row.municipality_id, 0) + row.count
    preinput = preinput_redemption_counts(scope=scope, first=first, last=last)
    return {
        m.pk: MeasuredShares(
            applications=total.get(m.pk, 0),
            online=online.get(m.pk, 0),
            counter=counter.get(m.pk, 0),
            preinput=preinput.get(m.pk, 0),
        )
        for m in scope.municipalities()
    }


@dataclass(frozen=True)
class MeasuredEffects:
    """What the good-practice library pre-fills for one municipality (None: nothing measured)."""

    online_share: int | None
    preinput_share: int | None
    staff_hours: Decimal | None  # online applications × measured counter minutes / 60
    median_wait: int | None  # minutes, nearest rank, like the insights


def measured_effects(
    *, municipality: Municipality, first: date, last: date, today: date
) -> MeasuredEffects:
    """One municipality's measured figures over local days `first` through `last` (the
    applications', counter's and hall's read contracts; the insights' rules)."""
    scope = Scope.of_municipality(municipality)
    shares = measured_shares(scope=scope, first=first, last=last).get(
        municipality.pk, MeasuredShares()
    )
    visits = visit_facts.visit_days(
        scope=scope, first=first, last=last, today=today, target_seconds=0
    )
    minutes = insights.counter_minutes(visits)
    hours = None
    if minutes is not None:
        hours = Decimal(shares.online * minutes / 60).quantize(Decimal("0.1"))
    waits: Counter[int] = Counter()
    for row in visit_facts.visit_histogram(
        scope=scope, first=first, last=last, measure="wait", by="municipality"
    ):
        waits[row.minutes] += row.count
    return MeasuredEffects(
        online_share=shares.online_share,
        preinput_share=shares.preinput_share,
        staff_hours=hours,
        median_wait=insights.percentile(waits, 0.5),
    )
