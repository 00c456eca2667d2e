"""Reads of the DX survey: who sees which survey and response, the pre-filled figures, and the
results compared by the national population classes and year on year.

A prefecture reads its own surveys and its municipalities' responses; a municipality reads its
prefecture's surveys once they are open and only its own response. Anything else is "not
found", like tenancy.access.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality, Prefecture

from ..charts import BarChart, bar_chart
from ..models import (
    Answer,
    Evidence,
    Question,
    QuestionKind,
    Response,
    Section,
    Survey,
    SurveyStatus,
)
from ..usage import measured_shares
from .services import YES

# 全国の人口区分（総務省の自治体DX推進状況調査の比較に使う区分）: upper bound (exclusive), label.
POPULATION_CLASSES: tuple[tuple[int | None, str], ...] = (
    (10_000, "〜1万"),
    (50_000, "〜5万"),
    (100_000, "〜10万"),
    (300_000, "〜30万"),
    (None, "30万〜"),
)
UNKNOWN_CLASS = "人口不明"


def population_class(population: int | None) -> str:
    if population is None:
        return UNKNOWN_CLASS
    for upper, label in POPULATION_CLASSES:
        if upper is None or population < upper:
            return label
    return POPULATION_CLASSES[-1][1]


# --- Access -------------------------------------------------------------------------------------


def survey_list(*, scope: Scope) -> QuerySet[Survey]:
    """A prefecture's surveys; for a municipality, its prefecture's surveys once opened."""
    if scope.prefecture_id is not None:
        return Survey.objects.filter(prefecture_id=scope.prefecture_id)
    municipality = scope.municipalities().first()
    if municipality is None:
        return Survey.objects.none()
    return Survey.objects.filter(prefecture_id=municipality.prefecture_id).exclude(
        status=SurveyStatus.DRAFT
    )


def survey_get(*, prefecture: Prefecture, pk: int) -> Survey:
    found = Survey.objects.filter(prefecture=prefecture, pk=pk).first()
    if found is None:
        raise Http404
    return found


def survey_for_municipality(*, municipality: Municipality, pk: int) -> Survey:
    found = (
        Survey.objects.filter(prefecture_id=municipality.prefecture_id, pk=pk)
        .exclude(status=SurveyStatus.DRAFT)
        .first()
    )
    if found is None:
        raise Http404
    return found


def question_get(*, survey: Survey, pk: int) -> Question:
    found = survey.questions.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def questions(*, survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("order", "pk"))


def sections(items: Iterable[Question]) -> list[tuple[str, list[Question]]]:
    """Questions grouped under their section, in the sections' order."""
    items = list(items)
    return [
        (str(label), [q for q in items if q.section == value])
        for value, label in Section.choices
        if any(q.section == value for q in items)
    ]


def response_of(*, survey: Survey, municipality: Municipality) -> Response | None:
    return (
        Response.objects.filter(survey=survey, municipality=municipality)
        .prefetch_related("answers", "evidence")
        .first()
    )


def response_get(*, scope: Scope, survey_pk: int, code: str) -> tuple[Survey, Response]:
    """One municipality's response: its own, or one of the prefecture's municipalities'."""
    response = (
        scope.filter(Response.objects.all())
        .filter(survey__pk=survey_pk, municipality__code=code)  # out-of-range ids: no row
        .select_related("survey", "municipality", "submitted_by")
        .prefetch_related("answers", "evidence")
        .first()
    )
    if response is None or (
        scope.prefecture_id is not None and response.survey.prefecture_id != scope.prefecture_id
    ):
        raise Http404
    if scope.prefecture_id is None and response.survey.status == SurveyStatus.DRAFT:
        raise Http404
    return response.survey, response


def evidence_get(*, scope: Scope, survey_pk: int, evidence_id: UUID) -> Evidence:
    found = (
        scope.filter(Evidence.objects.all())
        .filter(pk=evidence_id, response__survey__pk=survey_pk)
        .select_related("response__survey")
        .first()
    )
    if found is None or (
        scope.prefecture_id is not None
        and found.response.survey.prefecture_id != scope.prefecture_id
    ):
        raise Http404
    return found


def response_statuses(*, survey: Survey) -> list[tuple[Municipality, Response | None]]:
    """Every municipality of the prefecture with its response (None: not started)."""
    scope = Scope.of_prefecture(survey.prefecture)
    responses = {
        r.municipality_id: r for r in scope.filter(Response.objects.all()).filter(survey=survey)
    }
    return [(m, responses.get(m.pk)) for m in scope.municipalities().order_by("code")]


# --- Pre-filled figures ---------------------------------------------------------------------------


def measured_window(survey: Survey, today: date) -> tuple[date, date]:
    """The survey's fiscal year (April to March) up to today; before it starts, the year before
    today. Documented in docs/region.md."""
    first = date(survey.fiscal_year, 4, 1)
    last = min(date(survey.fiscal_year + 1, 3, 31), today)
    if first > last:
        return today - timedelta(days=364), today
    return first, last


def measured_values(
    *, survey: Survey, municipality: Municipality, items: list[Question], today: date
) -> dict[int, str]:
    """Question id -> the figure Madoguchi measured (only questions that ask for one)."""
    wanted = [q for q in items if q.measured]
    if not wanted:
        return {}
    first, last = measured_window(survey, today)
    shares = measured_shares(scope=Scope.of_municipality(municipality), first=first, last=last)
    own = shares.get(municipality.pk)
    if own is None:
        return {}
    values = {}
    for q in wanted:
        value = own.value(q.measured)
        if value is not None:
            values[q.pk] = str(value)
    return values


# --- Results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassCell:
    label: str
    value: Decimal | None  # percent of "yes"/first choice, or the mean
    answered: int


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    measure: str  # what the value is
    cells: tuple[ClassCell, ...]  # per population class
    overall: ClassCell
    last_year: tuple[ClassCell, ...] | None  # same key in the previous year's survey
    last_overall: ClassCell | None
    chart: BarChart | None

    @property
    def rows(self) -> list[tuple[ClassCell, ClassCell | None]]:
        previous = {c.label: c for c in self.last_year or ()}
        if self.last_overall is not None:
            previous[self.last_overall.label] = self.last_overall
        return [(cell, previous.get(cell.label)) for cell in (*self.cells, self.overall)]


@dataclass(frozen=True)
class Results:
    survey: Survey
    previous: Survey | None
    submitted: int
    municipalities: int
    by_class: tuple[tuple[str, int, int], ...]  # label, submitted, municipalities
    sections: list[tuple[str, list[QuestionResult]]]
    response_chart: BarChart


def _measure(question: Question) -> str:
    if question.kind == QuestionKind.YES_NO:
        return _("「はい」の割合（%）")
    if question.kind == QuestionKind.CHOICE:
        first = question.choices[0] if question.choices else ""
        return _("「%(choice)s」の割合（%%）") % {"choice": first}
    if question.kind == QuestionKind.PERCENT:
        return _("平均（%）")
    if question.unit:
        return _("平均（%(unit)s）") % {"unit": question.unit}
    return _("平均")


def _aggregate(question: Question, answers: list[Answer], label: str) -> ClassCell:
    values = [a for a in answers if a.value]
    if not values or question.kind == QuestionKind.TEXT:
        return ClassCell(label, None, len(values))
    if question.kind == QuestionKind.YES_NO:
        hits = sum(1 for a in values if a.value == YES)
    elif question.kind == QuestionKind.CHOICE:
        first = question.choices[0] if question.choices else None
        hits = sum(1 for a in values if a.value == first)
    else:
        numbers = [a.number for a in values if a.number is not None]
        mean = sum(numbers, Decimal(0)) / len(numbers) if numbers else None
        return ClassCell(
            label, mean.quantize(Decimal("0.1")) if mean is not None else None, len(values)
        )
    return ClassCell(
        label, (Decimal(100 * hits) / len(values)).quantize(Decimal("0.1")), len(values)
    )


def _class_labels(present: set[str]) -> list[str]:
    labels = [label for _upper, label in POPULATION_CLASSES]
    return labels + ([UNKNOWN_CLASS] if UNKNOWN_CLASS in present else [])


def _submitted_answers(survey: Survey) -> tuple[list[Response], dict[int, list[Answer]]]:
    """The survey's submitted responses (with municipality) and their answers by question id."""
    responses = list(
        Scope.of_prefecture(survey.prefecture)
        .filter(Response.objects.all())
        .filter(survey=survey, submitted_at__isnull=False)
        .select_related("municipality")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.all()))
    )
    by_question: dict[int, list[Answer]] = {}
    for response in responses:
        for answer in response.answers.all():
            answer.response = response  # the municipality's class without another query
            by_question.setdefault(answer.question_id, []).append(answer)
    return responses, by_question


def _cells(
    question: Question, answers: list[Answer], labels: list[str]
) -> tuple[tuple[ClassCell, ...], ClassCell]:
    grouped: dict[str, list[Answer]] = {label: [] for label in labels}
    for answer in answers:
        grouped.setdefault(population_class(answer.response.municipality.population), []).append(
            answer
        )
    cells = tuple(_aggregate(question, grouped[label], label) for label in labels)
    return cells, _aggregate(question, answers, _("全体"))


def results(*, survey: Survey) -> Results:
    items = questions(survey=survey)
    responses, by_question = _submitted_answers(survey)
    previous = (
        Survey.objects.filter(prefecture=survey.prefecture, fiscal_year__lt=survey.fiscal_year)
        .order_by("-fiscal_year")
        .first()
    )
    last_questions: dict[str, Question] = {}
    last_answers: dict[int, list[Answer]] = {}
    if previous is not None:
        last_questions = {q.key: q for q in questions(survey=previous)}
        _last_responses, last_answers = _submitted_answers(previous)
    municipalities = list(Scope.of_prefecture(survey.prefecture).municipalities())
    present = {population_class(m.population) for m in municipalities}
    labels = _class_labels(present)
    out: list[QuestionResult] = []
    for question in items:
        cells, overall = _cells(question, by_question.get(question.pk, []), labels)
        last = last_questions.get(question.key)
        last_cells = last_overall = None
        if last is not None and last.kind == question.kind:
            last_cells, last_overall = _cells(last, last_answers.get(last.pk, []), labels)
        chart = None
        if question.kind != QuestionKind.TEXT:
            chart = bar_chart(
                f"chart-{question.key}",
                question.text,
                _measure(question),
                [(c.label, round(c.value) if c.value is not None else 0) for c in cells],
            )
        out.append(
            QuestionResult(
                question, _measure(question), cells, overall, last_cells, last_overall, chart
            )
        )
    counts = {label: [0, 0] for label in labels}
    for m in municipalities:
        counts[population_class(m.population)][1] += 1
    for r in responses:
        counts[population_class(r.municipality.population)][0] += 1
    by_class = tuple((label, n, of) for label, (n, of) in counts.items())
    response_chart = bar_chart(
        "chart-responses",
        _("人口区分ごとの回答率（%）"),
        _("回答率（%）"),
        [(label, round(100 * n / of)) for label, n, of in by_class if of],
    )
    grouped = [
        (str(label), [r for r in out if r.question.section == value])
        for value, label in Section.choices
    ]
    return Results(
        survey=survey,
        previous=previous,
        submitted=len(responses),
        municipalities=len(municipalities),
        by_class=by_class,
        sections=[(label, rows) for label, rows in grouped if rows],
        response_chart=response_chart,
    )


def results_csv_rows(*, survey: Survey) -> list[list[object]]:
    """One row per submitted response: the municipality, its class, then every answer."""
    items = questions(survey=survey)
    responses, _by_question = _submitted_answers(survey)
    evidence_counts: dict[int, int] = {}
    for e in (
        Scope.of_prefecture(survey.prefecture)
        .filter(Evidence.objects.all())
        .filter(response__survey=survey)
    ):
        evidence_counts[e.response_id] = evidence_counts.get(e.response_id, 0) + 1
    header: list[object] = [
        "年度", "団体コード", "団体名", "人口", "人口区分", "提出日時", "根拠資料の数",
    ]  # fmt: skip
    header += [f"{q.key}：{q.text}" for q in items]
    rows: list[list[object]] = [header]
    for response in sorted(responses, key=lambda r: r.municipality.code):
        answers = {a.question_id: a.value for a in response.answers.all()}
        shown = {q.pk: answer_display(q, answers.get(q.pk, "")) for q in items}
        m = response.municipality
        submitted = response.submitted_at
        rows.append(
            [
                survey.fiscal_year,
                m.code,
                m.name,
                m.population if m.population is not None else "",
                population_class(m.population),
                submitted.isoformat(timespec="minutes") if submitted else "",
                evidence_counts.get(response.pk, 0),
                *[shown[q.pk] for q in items],
            ]
        )
    return rows


def answer_display(question: Question, value: str) -> str:
    """An answer as people read it (はい／いいえ for the stored yes/no)."""
    if question.kind == QuestionKind.YES_NO and value:
        return _("はい") if value == YES else _("いいえ")
    if value and question.unit:
        return f"{value} {question.unit}"
    return value
