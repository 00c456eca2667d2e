"""Open data: monthly aggregate statistics with small counts suppressed (docs/insights.md).

Long format, one figure per row, so new measures add rows, not columns. A count below
`SUPPRESS_BELOW` is left blank with a note, and so is any figure computed from fewer records,
so no row can point at a few residents.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

from django.utils import timezone

from madoguchi.applications import facts as application_facts
from madoguchi.reservations import facts as visit_facts
from madoguchi.tenancy.access import Scope

from .rollups import Facts
from .selectors import ONLINE, percentile

SUPPRESS_BELOW = 10
NOTE_SUPPRESSED = "10件未満のため非表示"
COLUMNS = [
    "year_month",
    "municipality_code",
    "municipality_name",
    "measure",
    "breakdown",
    "value",
    "unit",
    "note",
]


def _row(
    month: str,
    code: str,
    name: str,
    measure: str,
    breakdown: str,
    value: object,
    unit: str,
    base: int,
) -> list[object]:
    if base < SUPPRESS_BELOW:
        return [month, code, name, measure, breakdown, "", unit, NOTE_SUPPRESSED]
    return [month, code, name, measure, breakdown, "" if value is None else value, unit, ""]


def opendata_rows(*, scope: Scope, first: date, last: date) -> Iterator[list[object]]:
    today = timezone.localdate()
    names = {m.pk: (m.code, m.name) for m in scope.municipalities()}
    procedures = {p.id: p.name for p in application_facts.procedure_labels(scope=scope)}
    services = {s.id: s.name for s in visit_facts.service_labels(scope=scope)}
    apps: Counter[tuple[int, str, str, str]] = Counter()
    facts = Facts(scope, first, last)
    for c in facts.application_counts():
        month = c.day.strftime("%Y-%m")
        channel = "online" if c.channel in ONLINE else "counter"
        apps[(c.municipality_id, month, procedures.get(c.procedure_id, ""), channel)] += c.count
    visits: Counter[tuple[int, str, str]] = Counter()
    within: Counter[tuple[int, str, str]] = Counter()
    called: Counter[tuple[int, str, str]] = Counter()
    for v in facts.visit_days(today=today, target_seconds=15 * 60):
        key = (v.municipality_id, v.day.strftime("%Y-%m"), services.get(v.service_id, ""))
        visits[key] += v.tickets
        called[key] += v.called
        within[key] += v.within_target
    faq: Counter[tuple[int, str]] = Counter()
    for f in facts.faq_days():
        faq[(f.municipality_id, f.day.strftime("%Y-%m"))] += f.asked
    waits: dict[tuple[int, str], Counter[int]] = defaultdict(Counter)
    # Medians per municipality and month need a histogram per month: one query per month.
    month_starts = sorted({(k[1]) for k in visits})
    for month in month_starts:
        year, mon = (int(x) for x in month.split("-"))
        m_first = max(first, date(year, mon, 1))
        m_last = min(last, date(year, mon, calendar.monthrange(year, mon)[1]))
        for row in Facts(scope, m_first, m_last).visit_histogram(measure="wait", by="municipality"):
            waits[(row.key, month)][row.minutes] += row.count
    for (mid, month, procedure, channel), n in sorted(apps.items()):
        code, name = names.get(mid, ("", ""))
        yield _row(month, code, name, "applications", f"{procedure} / {channel}", n, "件", n)
    for (mid, month, service), n in sorted(visits.items()):
        code, name = names.get(mid, ("", ""))
        yield _row(month, code, name, "counter_visits", service, n, "件", n)
        base = called[(mid, month, service)]
        share = f"{within[(mid, month, service)] / base * 100:.1f}" if base else None
        yield _row(month, code, name, "called_within_15min", service, share, "%", base)
    for (mid, month), hist in sorted(waits.items()):
        code, name = names.get(mid, ("", ""))
        base = sum(hist.values())
        yield _row(month, code, name, "wait_median", "", percentile(hist, 0.5), "分", base)
        yield _row(month, code, name, "wait_p90", "", percentile(hist, 0.9), "分", base)
    for (mid, month), n in sorted(faq.items()):
        code, name = names.get(mid, ("", ""))
        yield _row(month, code, name, "faq_questions", "", n, "件", n)
