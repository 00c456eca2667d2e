"""The hall's panels on the staff home (accounts.home_panels): the counter clerk's console, the
manager's figures and the administrator's hall configuration."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.home_panels import Figure, Link, Panel, home_panel
from madoguchi.accounts.models import Role, StaffUser
from madoguchi.accounts.permissions import CONFIGURE_HALL, CONSOLE
from madoguchi.applications.models import Status
from madoguchi.applications.selectors import InboxFilters, inbox_status_counts

from . import selectors
from .models import Booking, Ticket


@home_panel
def counter(user: StaffUser) -> Panel | None:
    if user.municipality is None or not user.has_perm(CONSOLE):
        return None
    links = [
        Link(
            _("%(window)s で呼び出す") % {"window": w.name},
            reverse("reservations_staff:console", args=[w.pk]),
        )
        for w in selectors.window_list(municipality=user.municipality)
    ]
    links.append(Link(_("窓口呼出（待ち状況・ホールの画面）"), reverse("reservations_staff:home")))
    if user.has_perm("reservations.view_booking"):
        today = selectors.bookings_for_day(municipality=user.municipality, day=timezone.localdate())
        links.append(
            Link(
                _("今日の予約"),
                reverse("reservations_staff:bookings"),
                today.exclude(status=Booking.Status.CANCELLED).count(),
            )
        )
    return Panel(
        key="counter",
        title=_("窓口呼出"),
        links=links,
        primary_for=frozenset({Role.COUNTER}),
        order=10,
    )


@home_panel
def figures(user: StaffUser) -> Panel | None:
    if user.municipality is None or user.role not in (Role.MANAGER, Role.MUNICIPALITY_ADMIN):
        return None
    municipality = user.municipality
    today = timezone.localdate()
    tickets = Ticket.objects.for_municipality(municipality).filter(day=today)
    bookings = selectors.bookings_for_day(municipality=municipality, day=today).exclude(
        status=Booking.Status.CANCELLED
    )
    counts = inbox_status_counts(user=user, filters=InboxFilters())
    waits = selectors.service_waits(municipality=municipality)
    longest = max((w.estimate_minutes for w in waits if not w.closed), default=None)
    values = [
        Figure(_("今日の来庁（番号札）"), str(tickets.count())),
        Figure(_("いまお待ちの方"), str(sum(w.waiting for w in waits))),
        Figure(
            _("いちばん長い待ち時間の目安"),
            _("約%(m)s分") % {"m": longest} if longest is not None else _("受付終了"),
        ),
        Figure(_("今日の予約"), str(bookings.count())),
        Figure(
            _("未処理の申請（受付・審査中）"),
            str(counts[Status.RECEIVED] + counts[Status.IN_REVIEW]),
        ),
        Figure(_("補正待ちの申請"), str(counts[Status.CORRECTION_REQUESTED])),
    ]
    links = [
        Link(_("分析ダッシュボード"), reverse("insights:dashboard")),
        Link(_("人員配置の目安（窓口数と勤務表）"), reverse("insights:staffing")),
    ]
    return Panel(
        key="figures",
        title=_("今日の数字"),
        figures=values,
        links=links,
        primary_for=frozenset({Role.MANAGER}),
        order=30,
    )


@home_panel
def hall_configuration(user: StaffUser) -> Panel | None:
    if user.municipality is None or not user.has_perm(CONFIGURE_HALL):
        return None
    url = reverse("reservations_staff:settings")
    return Panel(
        key="hall",
        title=_("窓口と予約の設定"),
        links=[
            Link(_("窓口"), f"{url}#windows"),
            Link(_("開庁時間"), reverse("reservations_staff:hours")),
            Link(_("閉庁日・特別な開庁日"), f"{url}#closed-days"),
            Link(_("受付機の鍵"), f"{url}#kiosk"),
        ],
        primary_for=frozenset({Role.MUNICIPALITY_ADMIN}),
        order=40,
    )
