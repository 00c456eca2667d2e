"""Reads of the prefecture console: the joint-procurement catalogue, its charts, the agreements,
each member's share, the statements and the what-if.

Everything is reached through a prefecture (or a municipality's own statements): a row of
another prefecture is "not found" (404), never "forbidden", like tenancy.access.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality, Prefecture

from . import cost_sharing
from .charts import BarChart, bar_chart
from .models import (
    Agreement,
    AgreementChange,
    AgreementMember,
    Domain,
    JointSystem,
    Participation,
    SystemType,
)
from .usage import MeasuredUsage, measured_usage

QUERY_MAX = 100


@dataclass(frozen=True)
class SystemFilters:
    q: str = ""
    domain: str = ""
    system_type: str = ""
    spec_shareable: bool = False
    subsidy: bool = False

    @classmethod
    def from_query(cls, params: dict[str, str]) -> SystemFilters:
        domain = params.get("domain", "")
        system_type = params.get("type", "")
        return cls(
            q=" ".join(params.get("q", "")[:QUERY_MAX].replace("\x00", "").split()),
            domain=domain if domain in Domain.values else "",
            system_type=system_type if system_type in SystemType.values else "",
            spec_shareable=params.get("spec") == "1",
            subsidy=params.get("subsidy") == "1",
        )


def query_prefix(params: dict[str, list[str]] | object) -> str:
    """The list's query string without its page, ready for "…&page=N" links."""
    from django.http import QueryDict

    assert isinstance(params, QueryDict)
    copy = params.copy()
    copy.pop("page", None)
    text = copy.urlencode()
    return f"{text}&" if text else ""


def _systems(qs: QuerySet[JointSystem], filters: SystemFilters) -> QuerySet[JointSystem]:
    if filters.domain:
        qs = qs.filter(domain=filters.domain)
    if filters.system_type:
        qs = qs.filter(system_type=filters.system_type)
    if filters.spec_shareable:
        qs = qs.filter(spec_shareable=True)
    if filters.subsidy:
        qs = qs.exclude(subsidy="")
    for word in filters.q.split():
        # A subquery, so the participant totals below count every participant, not the matches.
        matching = JointSystem.objects.filter(
            Q(name__icontains=word)
            | Q(vendor__icontains=word)
            | Q(subsidy__icontains=word)
            | Q(background__icontains=word)
            | Q(process__icontains=word)
            | Q(participants__municipality__name__icontains=word)
        )
        qs = qs.filter(pk__in=matching.values("pk"))
    return (
        qs.select_related("prefecture")
        .annotate(
            participant_count=Count("participants", distinct=True),
            population_covered=Sum("participants__population"),
            staff_covered=Sum("participants__staff_covered"),
        )
        .order_by("prefecture__code", "name", "pk")
    )


def system_list(*, prefecture: Prefecture, filters: SystemFilters) -> QuerySet[JointSystem]:
    """The prefecture's joint systems matching the filters (participant totals annotated)."""
    return _systems(JointSystem.objects.filter(prefecture=prefecture), filters)


def public_system_list(*, filters: SystemFilters) -> QuerySet[JointSystem]:
    """Every prefecture's systems marked public (the page for vendors and other prefectures)."""
    return _systems(JointSystem.objects.filter(is_public=True), filters)


def _with_participants(qs: QuerySet[JointSystem]) -> QuerySet[JointSystem]:
    return qs.select_related("prefecture").prefetch_related(
        Prefetch(
            "participants",
            queryset=Participation.objects.select_related("municipality").order_by(
                "municipality__code"
            ),
        )
    )


def system_get(*, prefecture: Prefecture, pk: int) -> JointSystem:
    try:
        return _with_participants(JointSystem.objects.filter(prefecture=prefecture)).get(pk=pk)
    except JointSystem.DoesNotExist as exc:
        raise Http404 from exc


def public_system_get(*, pk: int) -> JointSystem:
    try:
        return _with_participants(JointSystem.objects.filter(is_public=True)).get(pk=pk)
    except JointSystem.DoesNotExist as exc:
        raise Http404 from exc


def prefecture_municipalities(*, prefecture: Prefecture) -> QuerySet[Municipality]:
    return Scope.of_prefecture(prefecture).municipalities().order_by("code")


@dataclass(frozen=True)
class Dashboard:
    by_type: BarChart
    by_domain: BarChart
    by_prefecture: BarChart
    participants: BarChart
    systems: int
    participations: int
    population: int


def dashboard(systems: QuerySet[JointSystem]) -> Dashboard:
    """The national dashboard's figures for a list of systems (already filtered)."""
    rows = list(systems.values("system_type", "domain", "prefecture__name", "name", "pk"))
    totals = systems.values_list("pk", "participant_count", "population_covered")  # type: ignore[misc]
    counts = {pk: (n, population or 0) for pk, n, population in totals}
    types = Counter(r["system_type"] for r in rows)
    domains = Counter(r["domain"] for r in rows)
    prefectures = Counter(r["prefecture__name"] for r in rows)
    by_type = bar_chart(
        "chart-type",
        _("システム種別ごとの件数"),
        _("件数"),
        [(str(label), types[value]) for value, label in SystemType.choices if types[value]],
    )
    by_domain = bar_chart(
        "chart-domain",
        _("分野ごとの件数"),
        _("件数"),
        [(str(label), domains[value]) for value, label in Domain.choices if domains[value]],
    )
    by_prefecture = bar_chart(
        "chart-prefecture", _("都道府県ごとの件数"), _("件数"), sorted(prefectures.items())
    )
    ranked = sorted(rows, key=lambda r: (-counts[r["pk"]][0], r["name"]))[:15]
    participants = bar_chart(
        "chart-participants",
        _("システムごとの参加団体数"),
        _("参加団体数"),
        [(r["name"], counts[r["pk"]][0]) for r in ranked],
    )
    return Dashboard(
        by_type=by_type,
        by_domain=by_domain,
        by_prefecture=by_prefecture,
        participants=participants,
        systems=len(rows),
        participations=sum(n for n, _population in counts.values()),
        population=sum(p for _n, p in counts.values()),
    )


# --- Agreements ---------------------------------------------------------------------------------


def agreement_list(*, scope: Scope) -> QuerySet[Agreement]:
    """A prefecture's agreements, or the agreements a municipality is a member of."""
    qs = Agreement.objects.select_related("system").annotate(member_count=Count("members"))
    if scope.prefecture_id is not None:
        return qs.filter(prefecture_id=scope.prefecture_id)
    if scope.municipality_id is not None:
        return qs.filter(members__municipality_id=scope.municipality_id)
    return qs.none()


def agreement_get(*, prefecture: Prefecture, pk: int) -> Agreement:
    try:
        return (
            Agreement.objects.select_related("system", "remainder_to", "prefecture")
            .filter(prefecture=prefecture)
            .get(pk=pk)
        )
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc


def agreement_members(*, agreement: Agreement) -> list[AgreementMember]:
    return list(agreement.members.select_related("municipality").order_by("municipality__code"))


def agreement_history(*, agreement: Agreement) -> QuerySet[AgreementChange]:
    return agreement.changes.order_by("-at", "-pk")


def to_calculation(agreement: Agreement, members: list[AgreementMember]) -> cost_sharing.Agreement:
    """The pure calculator's input for a stored agreement (its current members)."""
    remainder_code = agreement.remainder_to.code if agreement.remainder_to else None
    codes = {m.municipality.code for m in members}
    return cost_sharing.Agreement(
        total=agreement.total,
        members=tuple(
            cost_sharing.Member(
                code=m.municipality.code,
                population=m.population,
                usage=Fraction(m.usage),
                fiscal_need=Fraction(m.fiscal_need),
            )
            for m in members
        ),
        weights={k: Fraction(v) for k, v in agreement.weights.items()},
        population_exponent=Fraction(agreement.population_exponent),
        rounding_unit=agreement.rounding_unit,
        rounding_mode=agreement.rounding_mode,
        # A named member that has left: the remainder rule falls back to the largest fractions.
        remainder_to=remainder_code if remainder_code in codes else None,
    )


@dataclass(frozen=True)
class ShareRow:
    municipality: Municipality
    member: AgreementMember | None
    share: cost_sharing.Share

    @property
    def parts_yen(self) -> dict[str, Decimal]:
        """Each part in yen, to the sen (exact values are in the calculation)."""
        return {
            k: (Decimal(v.numerator) / Decimal(v.denominator)).quantize(Decimal("0.01"))
            for k, v in self.share.parts.items()
        }

    @property
    def exact_yen(self) -> Decimal:
        e = self.share.exact
        return (Decimal(e.numerator) / Decimal(e.denominator)).quantize(Decimal("0.01"))


@dataclass
class Shares:
    rows: list[ShareRow] = field(default_factory=list)
    error: str = ""
    equal_parts: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(r.share.final for r in self.rows)


def agreement_shares(*, agreement: Agreement, members: list[AgreementMember]) -> Shares:
    """Every member's share, or the calculator's message when the agreement cannot be computed."""
    if not members:
        return Shares(error="構成団体がまだありません。")
    try:
        result = cost_sharing.compute(to_calculation(agreement, members))
    except cost_sharing.AgreementError as exc:
        return Shares(error=str(exc))
    by_code = {m.municipality.code: m for m in members}
    return Shares(
        rows=[ShareRow(by_code[s.code].municipality, by_code[s.code], s) for s in result.shares],
        equal_parts=result.equal_parts,
    )


def statement(*, scope: Scope, agreement_pk: int, code: str) -> tuple[Agreement, Shares, ShareRow]:
    """One municipality's yearly statement: its own (municipality scope) or one of the
    prefecture's; anything else — another prefecture, not a member — is not found."""
    qs = Agreement.objects.select_related("system", "remainder_to", "prefecture")
    if scope.prefecture_id is not None:
        qs = qs.filter(prefecture_id=scope.prefecture_id)
    elif scope.municipality_id is not None:
        qs = qs.filter(members__municipality_id=scope.municipality_id)
    else:
        raise Http404
    agreement = qs.filter(pk=agreement_pk).first()
    if agreement is None:
        raise Http404
    members = agreement_members(agreement=agreement)
    member = next((m for m in members if m.municipality.code == code), None)
    if member is None or not scope.includes(member.municipality):
        raise Http404
    shares = agreement_shares(agreement=agreement, members=members)
    row = next((r for r in shares.rows if r.municipality.code == code), None)
    if row is None:
        raise Http404
    return agreement, shares, row


@dataclass(frozen=True)
class WhatIfRow:
    municipality: Municipality
    before: int | None  # None: not a member now (joins)
    after: int | None  # None: leaves

    @property
    def difference(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class WhatIf:
    rows: list[WhatIfRow]
    error: str = ""


def what_if(
    *,
    agreement: Agreement,
    members: list[AgreementMember],
    join: list[Municipality],
    leave: set[str],
    usage: dict[int, MeasuredUsage] | None = None,
) -> WhatIf:
    """Everyone's share if `join` joined (population from the municipality's record, usage as
    measured or 0, fiscal need 0) and the members with codes in `leave` left."""
    usage = usage or {}
    before = agreement_shares(agreement=agreement, members=members)
    kept = [m for m in members if m.municipality.code not in leave]
    current = {m.municipality_id for m in members}
    joiners = [
        AgreementMember(
            agreement=agreement,
            municipality=j,
            population=j.population or 0,
            usage=Decimal(usage[j.pk].value(agreement.usage_source) if j.pk in usage else 0),
            fiscal_need=Decimal(0),
        )
        for j in join
        if j.pk not in current
    ]
    after = agreement_shares(agreement=agreement, members=kept + joiners)
    if before.error or after.error:
        return WhatIf(rows=[], error=after.error or before.error)
    old = {r.municipality.code: r.share.final for r in before.rows}
    new = {r.municipality.code: r.share.final for r in after.rows}
    everyone = {m.municipality.code: m.municipality for m in members} | {
        j.municipality.code: j.municipality for j in joiners
    }
    rows = [WhatIfRow(everyone[code], old.get(code), new.get(code)) for code in sorted(everyone)]
    return WhatIf(rows=rows)


def usage_window(agreement: Agreement) -> tuple[date, date] | None:
    if agreement.usage_from is None or agreement.usage_to is None:
        return None
    return agreement.usage_from, agreement.usage_to


def agreement_measured_usage(*, agreement: Agreement) -> dict[int, MeasuredUsage]:
    window = usage_window(agreement)
    if window is None:
        return {}
    return measured_usage(
        scope=Scope(prefecture_id=agreement.prefecture_id), first=window[0], last=window[1]
    )
