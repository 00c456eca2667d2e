"""The figures of the dashboards, computed from the other apps' read contracts (facts.py).

Every figure is a `Table` (columns and rows: the accessible data table, the CSV and the chart
are drawn from the same rows), so what a chart shows and what is downloaded cannot differ.
Percentiles are nearest-rank over whole minutes (or days), from histograms the database
aggregates; nothing here loads one row per visit or application.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.applications import facts as application_facts
from madoguchi.counter import facts as counter_facts
from madoguchi.faq import facts as faq_facts
from madoguchi.reservations import facts as visit_facts
from madoguchi.tenancy.access import Scope

from .models import DEFAULT_ONLINE_TARGET_PERCENT, DEFAULT_WAIT_TARGET_MINUTES, InsightsTarget
from .rollups import Facts, week_of, within_minutes

DEFAULT_WEEKS = 12
MAX_DAYS = 400
WEEKDAYS = (
    gettext_lazy("月"),
    gettext_lazy("火"),
    gettext_lazy("水"),
    gettext_lazy("木"),
    gettext_lazy("金"),
    gettext_lazy("土"),
    gettext_lazy("日"),
)
CHANNELS = {
    "online": gettext_lazy("オンライン"),
    "counter": gettext_lazy("窓口"),
    "bundle": gettext_lazy("外部連携"),
    "api": gettext_lazy("API"),
}
ONLINE = {str(c) for c in application_facts.ONLINE_CHANNELS}
STATUS_LABELS = {
    "received": gettext_lazy("受付"),
    "in_review": gettext_lazy("審査中"),
    "correction_requested": gettext_lazy("補正依頼"),
}


@dataclass(frozen=True)
class Filters:
    first: date
    last: date
    procedure_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    service_ids: tuple[int, ...] = ()

    @classmethod
    def default(cls, today: date) -> Filters:
        monday = today - timedelta(days=today.weekday())
        return cls(first=monday - timedelta(weeks=DEFAULT_WEEKS - 1), last=today)

    def as_query(self) -> dict[str, Any]:
        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "procedure": list(self.procedure_ids),
            "channel": list(self.channels),
            "service": list(self.service_ids),
        }


@dataclass(frozen=True)
class Targets:
    online_percent: int = DEFAULT_ONLINE_TARGET_PERCENT
    wait_minutes: int = DEFAULT_WAIT_TARGET_MINUTES


def targets_for(municipality_id: int | None) -> Targets:
    if municipality_id is None:
        return Targets()
    row = InsightsTarget.objects.filter(municipality_id=municipality_id).first()
    if row is None:
        return Targets()
    return Targets(row.online_target_percent, row.wait_target_minutes)


@dataclass
class Table:
    """One figure: its data table (the CSV and the chart come from the same rows)."""

    slug: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    kind: str = "bars"  # bars | lines | heatmap | table
    note: str = ""
    value_column: int = 1  # the column a bar chart draws
    series: list[int] = field(default_factory=list)  # the columns a line chart draws
    target: float | None = None  # a target line on a line chart
    svg: str = ""

    @property
    def drawn(self) -> str:
        """What the chart draws, said in words under it."""
        if self.kind == "bars":
            return str(self.columns[self.value_column])
        if self.kind == "lines":
            return "、".join(str(self.columns[c]) for c in self.series)
        if self.kind == "heatmap":
            return _("件数（濃いほど多い。数字はセルの中）")
        return ""


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class QualityFlag:
    label: str
    count: int
    total: int
    severity: str  # "ok" or "warn"

    @property
    def percent(self) -> str:
        return percent(self.count, self.total)


@dataclass
class Dashboard:
    filters: Filters
    targets: Targets
    kpis: list[Kpi]
    tables: list[Table]
    quality: list[QualityFlag]
    empty_days: list[date]
    open_days: int
    assumption: str

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)


# --- Small arithmetic -------------------------------------------------------------------------


def percentile(histogram: Counter[int], share: float) -> int | None:
    """Nearest-rank percentile of a histogram {value: count} (None when it is empty)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # pragma: no cover - rank never exceeds the total


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def percent(part: float, whole: float) -> str:
    value = ratio(part, whole)
    return "" if value is None else f"{value * 100:.1f}"


def weeks_between(first: date, last: date) -> list[date]:
    weeks, monday = [], week_of(first)
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


def _blank(value: Any) -> Any:
    return "" if value is None else value


# --- The municipality dashboard ---------------------------------------------------------------


def dashboard(
    *, scope: Scope, filters: Filters, targets: Targets, now: datetime | None = None
) -> Dashboard:
    """Every figure of one municipality's dashboard for the period and filters."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    procedures = {p.id: p for p in application_facts.procedure_labels(scope=scope)}
    services = {s.id: s for s in visit_facts.service_labels(scope=scope)}
    proc_ids = list(filters.procedure_ids) or None
    channels = list(filters.channels) or None
    service_ids = list(filters.service_ids) or None
    target_seconds = targets.wait_minutes * 60

    facts = Facts(scope, filters.first, filters.last)
    counts = facts.application_counts(procedure_ids=proc_ids, channels=channels, by_week=True)
    visits = facts.visit_days(today=today, target_seconds=target_seconds, service_ids=service_ids)
    waits = facts.visit_histogram(measure="wait", service_ids=service_ids)
    service_times = facts.visit_histogram(measure="service", service_ids=service_ids)
    bookings = facts.booking_days(now=now)
    hall = facts.hall_days()
    capacity = [
        visit_facts.CapacityDay(h.municipality_id, h.day, h.planned, h.booked)
        for h in hall
        if h.planned or h.booked
    ]
    leads = facts.lead_times(procedure_ids=proc_ids, channels=channels)
    backlog = application_facts.backlog(
        scope=scope, today=today, procedure_ids=proc_ids, channels=channels
    )
    corrections = facts.correction_counts(procedure_ids=proc_ids, channels=channels)
    faq = facts.faq_days()
    quality = facts.visit_quality(today=today, service_ids=service_ids)
    open_days: dict[int, list[date]] = {}
    for h in hall:
        if h.open:
            open_days.setdefault(h.municipality_id, []).append(h.day)
    weeks = weeks_between(filters.first, filters.last)

    tables: list[Table] = []
    tables.append(_volume_weekly(weeks, counts, visits))
    tables.append(_by_procedure(counts, procedures))
    tables.append(_by_channel(counts))
    tables.append(
        _heatmap(
            "heatmap-visits",
            _("来庁（番号札）の曜日・時間帯"),
            facts.visit_weekday_hour(service_ids=service_ids),
        )
    )
    tables.append(
        _heatmap(
            "heatmap-applications",
            _("申請の曜日・時間帯"),
            facts.application_weekday_hour(procedure_ids=proc_ids, channels=channels),
        )
    )
    tables.append(_online_share(weeks, counts, targets))
    tables.append(_waits(visits, waits, service_times, services, targets))
    tables.append(_wait_weekly(weeks, visits, targets))
    tables.append(_no_shows(weeks, bookings, visits))
    tables.append(_capacity(weeks, capacity))
    tables.append(_lead_times(leads, procedures))
    tables.append(_backlog(backlog, procedures))
    tables.append(_faq(weeks, faq))
    counter_days = [
        d
        for d in counter_facts.counter_days(scope=scope, first=filters.first, last=filters.last)
        if not proc_ids or d.procedure_id in proc_ids
    ]
    tables.append(_counter_times(counter_days, procedures))
    hours = _hours_saved(weeks, counts, visits, counter_days)
    tables.append(hours)

    total_apps = sum(c.count for c in counts)
    online_apps = sum(c.count for c in counts if c.channel in ONLINE)
    tickets = sum(v.tickets for v in visits)
    called = sum(v.called for v in visits)
    within = sum(v.within_target for v in visits)
    wait_hist: Counter[int] = Counter()
    for row in waits:
        wait_hist[row.minutes] += row.count
    booked_total = sum(b.bookings for b in bookings)
    no_shows = sum(b.no_show for b in bookings)
    submitted = sum(c.submitted for c in corrections)
    corrected = sum(c.corrected for c in corrections)
    asked = sum(f.asked for f in faq)
    answered = sum(f.answered for f in faq)
    saved_hours = sum(float(r[3] or 0) for r in hours.rows)
    preinput_hours = sum(float(r[5] or 0) for r in hours.rows)
    median = percentile(wait_hist, 0.5)
    p90 = percentile(wait_hist, 0.9)
    kpis = [
        Kpi(_("申請"), f"{total_apps:,}"),
        Kpi(
            _("オンライン率"),
            f"{percent(online_apps, total_apps) or '—'} %",
            _("目標 %(target)s %%") % {"target": targets.online_percent},
        ),
        Kpi(_("来庁（番号札）"), f"{tickets:,}"),
        Kpi(
            _("待ち時間（中央値 / 90%）"),
            _("%(median)s分 / %(p90)s分")
            % {"median": "—" if median is None else median, "p90": "—" if p90 is None else p90},
        ),
        Kpi(
            _("目標内に呼出"),
            f"{percent(within, called) or '—'} %",
            _("%(minutes)s分以内") % {"minutes": targets.wait_minutes},
        ),
        Kpi(_("予約の無断キャンセル率"), f"{percent(no_shows, booked_total) or '—'} %"),
        Kpi(_("補正率"), f"{percent(corrected, submitted) or '—'} %"),
        Kpi(_("FAQ 回答率"), f"{percent(answered, asked) or '—'} %"),
        Kpi(_("オンライン化で減った窓口時間"), _("%(hours).1f 時間") % {"hours": saved_hours}),
        Kpi(_("事前入力で減った窓口時間"), _("%(hours).1f 時間") % {"hours": preinput_hours}),
    ]

    opened = set(open_days.get(scope.municipality_id or 0, []))
    with_events = {v.day for v in visits} | facts.application_days()
    empty_days = sorted(d for d in opened if d not in with_events and d < today)
    served = sum(v.served for v in visits)
    timed = sum(v.timed for v in visits)
    flags = [
        QualityFlag(
            _("呼出より前に対応開始（時刻が不正）"),
            quality.served_before_called,
            quality.tickets,
            "warn" if quality.served_before_called else "ok",
        ),
        QualityFlag(
            _("対応開始より前に終了（時刻が不正）"),
            quality.finished_before_started,
            quality.tickets,
            "warn" if quality.finished_before_started else "ok",
        ),
        QualityFlag(
            _("終了していない番号札（前日以前）"),
            quality.unclosed,
            quality.tickets,
            "warn" if quality.unclosed else "ok",
        ),
        QualityFlag(
            _("待ち時間の元になった番号札（呼出の記録あり）"),
            called,
            tickets,
            "ok" if not tickets or called / tickets >= 0.8 else "warn",
        ),
        QualityFlag(
            _("対応時間の元になった番号札（開始・終了の記録あり）"),
            timed,
            served,
            "ok" if not served or timed / served >= 0.8 else "warn",
        ),
    ]
    assumption = _(
        "オンライン（外部連携・API を含む）で受け付けた申請1件ごとに、窓口での対応1回"
        "（この期間に実際に測った対応時間の平均）が不要になったと仮定して計算しています。"
        "待ち時間や移動時間、オンライン申請の審査にかかる時間は含みません。"
        "事前入力については、窓口モードで事前入力から作った申請書1件ごとに、同じ手続を窓口で"
        "聞き取って入力した場合との差（書き始めから住民の確認までの平均時間。この期間の実測）が"
        "減ったと仮定しています。事前入力あり・なしの両方の実測がない手続は数えません。"
    )
    return Dashboard(
        filters=filters,
        targets=targets,
        kpis=kpis,
        tables=tables,
        quality=flags,
        empty_days=empty_days,
        open_days=len(opened),
        assumption=assumption,
    )


def _volume_weekly(
    weeks: list[date],
    counts: Iterable[application_facts.ApplicationCount],
    visits: Iterable[visit_facts.VisitDay],
) -> Table:
    online: Counter[date] = Counter()
    other: Counter[date] = Counter()
    walk_in: Counter[date] = Counter()
    booked: Counter[date] = Counter()
    for c in counts:
        (online if c.channel in ONLINE else other)[week_of(c.day)] += c.count
    for v in visits:
        (booked if v.booked else walk_in)[week_of(v.day)] += v.tickets
    return Table(
        slug="volume-weekly",
        title=_("週ごとの件数"),
        columns=[
            _("週（月曜日）"),
            _("オンライン申請"),
            _("窓口申請"),
            _("来庁（予約）"),
            _("来庁（予約なし）"),
        ],
        rows=[[w.isoformat(), online[w], other[w], booked[w], walk_in[w]] for w in weeks],
        kind="lines",
        series=[1, 2, 3, 4],
    )


def _by_procedure(
    counts: Iterable[application_facts.ApplicationCount],
    procedures: dict[int, application_facts.ProcedureLabel],
) -> Table:
    online: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for c in counts:
        total[c.procedure_id] += c.count
        if c.channel in ONLINE:
            online[c.procedure_id] += c.count
    rows = [
        [
            procedures[pid].name if pid in procedures else str(pid),
            n,
            online[pid],
            n - online[pid],
            percent(online[pid], n),
        ]
        for pid, n in total.most_common()
    ]
    return Table(
        slug="by-procedure",
        title=_("手続ごとの申請件数"),
        columns=[_("手続"), _("合計"), _("オンライン"), _("窓口"), _("オンライン率（%）")],
        rows=rows,
    )


def _by_channel(counts: Iterable[application_facts.ApplicationCount]) -> Table:
    total: Counter[str] = Counter()
    for c in counts:
        total[c.channel] += c.count
    whole = sum(total.values())
    rows = [
        [str(CHANNELS.get(ch, ch)), total[ch], percent(total[ch], whole)]
        for ch in CHANNELS
        if total[ch] or ch in ("online", "counter")
    ]
    return Table(
        slug="by-channel",
        title=_("受付経路ごとの申請件数"),
        columns=[_("受付経路"), _("件数"), _("割合（%）")],
        rows=rows,
    )


def _counter_times(
    days: Iterable[counter_facts.CounterDay],
    procedures: dict[int, application_facts.ProcedureLabel],
) -> Table:
    """Counter mode's measured minutes per procedure, with and without pre-input (issue: the
    same procedure's forms started from a resident's pre-input against those typed at the desk)."""
    groups: dict[tuple[int, bool], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0.0])
    for d in days:
        g = groups[(d.procedure_id, d.with_preinput)]
        g[0] += d.confirmed
        g[1] += d.seconds_to_confirm
        g[2] += d.printed
        g[3] += d.seconds_to_print

    def minutes(total: float, n: float) -> float | None:
        return round(total / n / 60, 1) if n else None

    def name(procedure_id: int) -> str:
        label = procedures.get(procedure_id)
        return label.name if label is not None else str(procedure_id)

    rows = [
        [
            name(procedure_id),
            str(_("事前入力あり") if with_preinput else _("窓口で入力")),
            int(g[0]),
            minutes(g[1], g[0]),
            minutes(g[3], g[2]),
        ]
        for (procedure_id, with_preinput), g in sorted(
            groups.items(), key=lambda item: (name(item[0][0]), not item[0][1])
        )
    ]
    return Table(
        slug="counter-times",
        title=_("窓口モードの所要時間（事前入力あり・なし）"),
        columns=[
            _("手続"),
            _("入力のしかた"),
            _("受付件数"),
            _("確認までの平均（分）"),
            _("印刷までの平均（分）"),
        ],
        rows=rows,
        kind="table",
        note=_(
            "窓口モードで記録した各段階の時刻から計算しています（読み取りまたは入力開始から、"
            "住民の確認・申請書の印刷まで）。"
        ),
    )


def _heatmap(slug: str, title: str, cells: Iterable[Any]) -> Table:
    grid: dict[tuple[int, int], int] = {}
    for cell in cells:
        grid[(cell.weekday, cell.hour)] = grid.get((cell.weekday, cell.hour), 0) + cell.count
    used_hours = sorted({h for _w, h in grid}) or list(range(8, 18))
    hours = list(range(min(used_hours), max(used_hours) + 1))
    weekdays = sorted({w for w, _h in grid} | {0, 1, 2, 3, 4})
    rows = [[str(WEEKDAYS[w]), *[grid.get((w, h), 0) for h in hours]] for w in weekdays]
    return Table(
        slug=slug,
        title=title,
        columns=[_("曜日"), *[_("%(hour)s時") % {"hour": h} for h in hours]],
        rows=rows,
        kind="heatmap",
    )


def _online_share(
    weeks: list[date], counts: Iterable[application_facts.ApplicationCount], targets: Targets
) -> Table:
    online: Counter[date] = Counter()
    total: Counter[date] = Counter()
    for c in counts:
        total[week_of(c.day)] += c.count
        if c.channel in ONLINE:
            online[week_of(c.day)] += c.count
    return Table(
        slug="online-share",
        title=_("オンライン率の推移（目標 %(target)s %%）") % {"target": targets.online_percent},
        columns=[_("週（月曜日）"), _("オンライン率（%）"), _("申請件数")],
        rows=[[w.isoformat(), percent(online[w], total[w]), total[w]] for w in weeks],
        kind="lines",
        series=[1],
        target=float(targets.online_percent),
    )


def _waits(
    visits: Iterable[visit_facts.VisitDay],
    waits: Iterable[visit_facts.HistogramRow],
    service_times: Iterable[visit_facts.HistogramRow],
    services: dict[int, visit_facts.ServiceLabel],
    targets: Targets,
) -> Table:
    wait_hist: dict[tuple[int, bool], Counter[int]] = defaultdict(Counter)
    service_hist: dict[tuple[int, bool], Counter[int]] = defaultdict(Counter)
    for row in waits:
        wait_hist[(row.key, row.booked)][row.minutes] += row.count
    for row in service_times:
        service_hist[(row.key, row.booked)][row.minutes] += row.count
    sums: dict[tuple[int, bool], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0])
    for v in visits:
        s = sums[(v.service_id, v.booked)]
        s[0] += v.called
        s[1] += v.within_target
        s[2] += v.timed
        s[3] += v.service_seconds
        s[4] += v.tickets
    rows = []
    for key in sorted(
        sums, key=lambda k: (services[k[0]].series if k[0] in services else "", k[1])
    ):
        called, within, timed, seconds, tickets = sums[key]
        label = services[key[0]].name if key[0] in services else str(key[0])
        rows.append(
            [
                f"{label}（{_('予約') if key[1] else _('予約なし')}）",
                _blank(percentile(wait_hist[key], 0.9)),
                _blank(percentile(wait_hist[key], 0.5)),
                percent(within, called),
                _blank(percentile(service_hist[key], 0.5)),
                f"{seconds / timed / 60:.1f}" if timed else "",
                int(tickets),
            ]
        )
    return Table(
        slug="waits",
        title=_("業務ごとの待ち時間と対応時間（予約・予約なし）"),
        columns=[
            _("業務"),
            _("待ち時間 90%（分）"),
            _("待ち時間 中央値（分）"),
            _("%(minutes)s分以内に呼出（%%）") % {"minutes": targets.wait_minutes},
            _("対応時間 中央値（分）"),
            _("対応時間 平均（分）"),
            _("番号札"),
        ],
        rows=rows,
        note=_("待ち時間＝呼出の時刻−番号札の発券時刻。分単位で切り捨てた値の順位で求めています。"),
    )


def _wait_weekly(
    weeks: list[date], visits: Iterable[visit_facts.VisitDay], targets: Targets
) -> Table:
    called: Counter[date] = Counter()
    within: Counter[date] = Counter()
    for v in visits:
        called[week_of(v.day)] += v.called
        within[week_of(v.day)] += v.within_target
    return Table(
        slug="wait-weekly",
        title=_("%(minutes)s分以内に呼ばれた割合の推移") % {"minutes": targets.wait_minutes},
        columns=[_("週（月曜日）"), _("目標内の割合（%）"), _("呼出の件数")],
        rows=[[w.isoformat(), percent(within[w], called[w]), called[w]] for w in weeks],
        kind="lines",
        series=[1],
        target=90.0,
        note=_("点線は 90 % の目安です。"),
    )


def _no_shows(
    weeks: list[date],
    bookings: Iterable[visit_facts.BookingDay],
    visits: Iterable[visit_facts.VisitDay],
) -> Table:
    made: Counter[date] = Counter()
    missed: Counter[date] = Counter()
    absent: Counter[date] = Counter()
    tickets: Counter[date] = Counter()
    for b in bookings:
        made[week_of(b.day)] += b.bookings
        missed[week_of(b.day)] += b.no_show
    for v in visits:
        absent[week_of(v.day)] += v.no_show
        tickets[week_of(v.day)] += v.tickets
    return Table(
        slug="no-show",
        title=_("予約の無断キャンセル率の推移"),
        columns=[
            _("週（月曜日）"),
            _("無断キャンセル率（%）"),
            _("予約"),
            _("来なかった予約"),
            _("呼出に不在の番号札"),
            _("番号札"),
        ],
        rows=[
            [w.isoformat(), percent(missed[w], made[w]), made[w], missed[w], absent[w], tickets[w]]
            for w in weeks
        ],
        kind="lines",
        series=[1],
    )


def _capacity(weeks: list[date], capacity: Iterable[visit_facts.CapacityDay]) -> Table:
    planned: Counter[date] = Counter()
    booked: Counter[date] = Counter()
    for c in capacity:
        planned[week_of(c.day)] += c.planned
        booked[week_of(c.day)] += c.booked
    return Table(
        slug="capacity",
        title=_("予約枠：用意した枠と予約された枠"),
        columns=[_("週（月曜日）"), _("用意した枠"), _("予約"), _("利用率（%）")],
        rows=[
            [w.isoformat(), planned[w], booked[w], percent(booked[w], planned[w])] for w in weeks
        ],
        kind="lines",
        series=[1, 2],
        note=_(
            "用意した枠＝開庁時間の予約枠の数×予約を受ける窓口の数（予約なしの来庁者の分を除く）。"
        ),
    )


def _lead_times(
    leads: Iterable[application_facts.LeadTimeRow],
    procedures: dict[int, application_facts.ProcedureLabel],
) -> Table:
    hist: dict[int, Counter[int]] = defaultdict(Counter)
    for row in leads:
        hist[row.procedure_id][row.days] += row.count
    rows = []
    for pid, h in sorted(hist.items(), key=lambda item: -sum(item[1].values())):
        label = procedures.get(pid)
        standard = label.standard_processing_days if label else None
        within = sum(n for d, n in h.items() if standard is not None and d <= standard)
        total = sum(h.values())
        rows.append(
            [
                label.name if label else str(pid),
                _blank(percentile(h, 0.5)),
                _blank(percentile(h, 0.9)),
                _blank(standard),
                percent(within, total) if standard is not None else "",
                total,
            ]
        )
    return Table(
        slug="lead-time",
        title=_("処理日数と標準処理期間"),
        columns=[
            _("手続"),
            _("中央値（日）"),
            _("90%（日）"),
            _("標準処理期間（日）"),
            _("期間内の割合（%）"),
            _("完了件数"),
        ],
        rows=rows,
        value_column=1,
        note=_("この期間に完了した申請の、申請日から完了日までの暦日数です。"),
    )


def _backlog(
    rows_in: Iterable[application_facts.BacklogRow],
    procedures: dict[int, application_facts.ProcedureLabel],
) -> Table:
    count: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for r in rows_in:
        count[r.status] += r.count
        overdue[r.status] += r.overdue
    return Table(
        slug="backlog",
        title=_("処理中の申請（現在）"),
        columns=[_("状態"), _("件数"), _("標準処理期間を過ぎたもの")],
        rows=[[str(label), count[s], overdue[s]] for s, label in STATUS_LABELS.items()],
    )


def _faq(weeks: list[date], days: Iterable[faq_facts.FaqDay]) -> Table:
    asked: Counter[date] = Counter()
    answered: Counter[date] = Counter()
    rated: Counter[date] = Counter()
    helpful: Counter[date] = Counter()
    for d in days:
        w = week_of(d.day)
        asked[w] += d.asked
        answered[w] += d.answered
        rated[w] += d.rated
        helpful[w] += d.helpful
    return Table(
        slug="faq",
        title=_("FAQ への質問と回答"),
        columns=[
            _("週（月曜日）"),
            _("質問"),
            _("回答率（%）"),
            _("回答できなかった割合（%）"),
            _("解決した割合（%）"),
        ],
        rows=[
            [
                w.isoformat(),
                asked[w],
                percent(answered[w], asked[w]),
                percent(asked[w] - answered[w], asked[w]),
                percent(helpful[w], rated[w]),
            ]
            for w in weeks
        ],
        kind="lines",
        series=[1],
        note=_("解決した割合は「解決しましたか」に答えた質問のうち「はい」の割合です。"),
    )


def counter_minutes(visits: Iterable[visit_facts.VisitDay]) -> float | None:
    """The measured mean service time at the counter, in minutes (None: nothing timed).

    Staff hours saved by online applications = online applications × this / 60: the one rule,
    also read by the region's good-practice library."""
    visits = list(visits)
    timed = sum(v.timed for v in visits)
    return sum(v.service_seconds for v in visits) / timed / 60 if timed else None


def preinput_seconds_saved(days: Iterable[counter_facts.CounterDay]) -> dict[int, float]:
    """Per procedure: the measured mean seconds to the resident's confirmation typed at the desk
    less the mean with pre-input (only procedures measured both ways)."""
    sums: dict[tuple[int, bool], list[float]] = defaultdict(lambda: [0, 0.0])
    for d in days:
        s = sums[(d.procedure_id, d.with_preinput)]
        s[0] += d.confirmed
        s[1] += d.seconds_to_confirm
    saved = {}
    for (procedure_id, with_preinput), (n, seconds) in sums.items():
        without = sums.get((procedure_id, False), [0, 0.0])
        if with_preinput and n and without[0]:
            saved[procedure_id] = without[1] / without[0] - seconds / n
    return saved


def _hours_saved(
    weeks: list[date],
    counts: Iterable[application_facts.ApplicationCount],
    visits: Iterable[visit_facts.VisitDay],
    counter_days: list[counter_facts.CounterDay],
) -> Table:
    online: Counter[date] = Counter()
    for c in counts:
        if c.channel in ONLINE:
            online[week_of(c.day)] += c.count
    minutes = counter_minutes(visits)
    per_form = preinput_seconds_saved(counter_days)
    preinput: Counter[date] = Counter()
    preinput_seconds: dict[date, float] = defaultdict(float)
    for d in counter_days:
        if d.with_preinput and d.procedure_id in per_form:
            preinput[week_of(d.day)] += d.confirmed
            preinput_seconds[week_of(d.day)] += d.confirmed * per_form[d.procedure_id]
    rows = [
        [
            w.isoformat(),
            online[w],
            f"{minutes:.1f}" if minutes is not None else "",
            f"{online[w] * minutes / 60:.1f}" if minutes is not None else "",
            preinput[w],
            f"{preinput_seconds[w] / 3600:.1f}" if per_form else "",
        ]
        for w in weeks
    ]
    return Table(
        slug="hours-saved",
        title=_("オンライン化と事前入力で減った窓口の対応時間"),
        columns=[
            _("週（月曜日）"),
            _("オンライン申請"),
            _("窓口の対応時間 平均（分・実測）"),
            _("減った時間（時間）"),
            _("事前入力から作った申請書"),
            _("事前入力で減った時間（時間）"),
        ],
        rows=rows,
        kind="lines",
        series=[3, 5],
    )


# --- The region (a prefecture's municipalities, aggregates only) --------------------------------


@dataclass
class TownTotals:
    """One municipality's sums behind the region comparison's figures."""

    applications: int = 0
    online: int = 0
    tickets: int = 0
    called: int = 0
    within: int = 0
    waits: Counter[int] = field(default_factory=Counter)
    bookings: int = 0
    no_shows: int = 0
    submitted: int = 0
    corrected: int = 0
    asked: int = 0
    answered: int = 0


def region_totals(
    *, scope: Scope, filters: Filters, now: datetime, target_seconds: int
) -> dict[int, TownTotals]:
    """Per municipality: the rolled days summed by the database from the per-municipality weekly
    rows (a few rows per town and week, one query per figure for every town), plus the days
    not rolled from the live read contracts."""
    towns: dict[int, TownTotals] = defaultdict(TownTotals)
    within = within_minutes(target_seconds)
    facts = Facts(scope, filters.first, filters.last)
    for m, channel, n in facts.town_sums("app", "n"):
        towns[m].applications += n
        towns[m].online += n if channel in ONLINE else 0
    for m, tickets, called in facts.town_sums("visit", "n", "n2"):
        towns[m].tickets += tickets
        towns[m].called += called
    for m, minutes, n in facts.town_sums("wait", "n"):
        towns[m].waits[minutes] += n
        towns[m].within += n if minutes < within else 0
    for m, bookings, checked_in in facts.town_sums("booking", "n", "n2"):
        towns[m].bookings += bookings
        towns[m].no_shows += bookings - checked_in
    for m, _channel, submitted, corrected in facts.town_sums("corr", "n", "n2"):
        towns[m].submitted += submitted
        towns[m].corrected += corrected
    for m, asked, answered in facts.town_sums("faq", "n", "n2"):
        towns[m].asked += asked
        towns[m].answered += answered
    live = facts.live_facts()
    if live is None:
        return towns
    for c in live.application_counts():
        towns[c.municipality_id].applications += c.count
        towns[c.municipality_id].online += c.count if c.channel in ONLINE else 0
    today = timezone.localdate(now)
    for v in live.visit_days(today=today, target_seconds=target_seconds):
        towns[v.municipality_id].tickets += v.tickets
        towns[v.municipality_id].called += v.called
        towns[v.municipality_id].within += v.within_target
    for row in live.visit_histogram(measure="wait", by="municipality"):
        towns[row.key].waits[row.minutes] += row.count
    for b in live.booking_days(now=now):
        towns[b.municipality_id].bookings += b.bookings
        towns[b.municipality_id].no_shows += b.no_show
    for cc in live.correction_counts():
        towns[cc.municipality_id].submitted += cc.submitted
        towns[cc.municipality_id].corrected += cc.corrected
    for f in live.faq_days():
        towns[f.municipality_id].asked += f.asked
        towns[f.municipality_id].answered += f.answered
    return towns


def region(*, scope: Scope, filters: Filters, now: datetime | None = None) -> Table:
    """The same KPIs side by side for each municipality of a prefecture's scope."""
    now = now or timezone.now()
    names = {m.pk: (m.code, m.name) for m in scope.municipalities()}
    targets = {
        t.municipality_id: t for t in InsightsTarget.objects.filter(municipality_id__in=names)
    }
    # One wait target for the comparison, so the municipalities are measured alike.
    towns = region_totals(
        scope=scope, filters=filters, now=now, target_seconds=DEFAULT_WAIT_TARGET_MINUTES * 60
    )
    rows = []
    for pk, (code, name) in sorted(names.items(), key=lambda item: item[1][0]):
        town = towns.get(pk, TownTotals())
        target = targets.get(pk)
        rows.append(
            [
                f"{name}（{code}）",
                town.applications,
                percent(town.online, town.applications),
                target.online_target_percent if target else DEFAULT_ONLINE_TARGET_PERCENT,
                town.tickets,
                _blank(percentile(town.waits, 0.5)),
                _blank(percentile(town.waits, 0.9)),
                percent(town.within, town.called),
                percent(town.no_shows, town.bookings),
                percent(town.corrected, town.submitted),
                town.asked,
                percent(town.answered, town.asked),
            ]
        )
    return Table(
        slug="region",
        title=_("管内の市区町村の比較"),
        columns=[
            _("市区町村"),
            _("申請"),
            _("オンライン率（%）"),
            _("オンライン率の目標（%）"),
            _("来庁（番号札）"),
            _("待ち時間 中央値（分）"),
            _("待ち時間 90%（分）"),
            _("%(minutes)s分以内に呼出（%%）") % {"minutes": DEFAULT_WAIT_TARGET_MINUTES},
            _("予約の無断キャンセル率（%）"),
            _("補正率（%）"),
            _("FAQ の質問"),
            _("FAQ 回答率（%）"),
        ],
        rows=rows,
        value_column=2,
        note=_("集計値だけを表示しています。住民一人ひとりの記録は表示しません。"),
    )
