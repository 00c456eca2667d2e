"""What Madoguchi measured per municipality: applications, bookings and FAQ questions.

Read through each app's read contract (its selectors), never its models, so region stays a
reader of the apps below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from madoguchi.applications.selectors import application_counts_by_municipality
from madoguchi.faq.selectors import question_counts_by_municipality
from madoguchi.reservations.selectors import booking_counts_by_municipality
from madoguchi.tenancy.access import Scope

from .models import UsageSource


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
