"""Writes of the DX survey: creating a year's questionnaire, questions, answers, evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality, Prefecture

from ..models import Answer, Evidence, Question, QuestionKind, Response, Survey, SurveyStatus
from ..upload_services import store_checked_file
from .defaults import DEFAULT_QUESTIONS

YES, NO = "yes", "no"


def survey_create(
    *, prefecture: Prefecture, fiscal_year: int, title: str, due_on: date | None = None
) -> Survey:
    """A year's survey, its questions copied from the latest earlier year (so the keys match
    year on year) or, for the first one, from the default questionnaire."""
    survey = Survey(prefecture=prefecture, fiscal_year=fiscal_year, title=title, due_on=due_on)
    survey.full_clean()
    previous = (
        Survey.objects.filter(prefecture=prefecture, fiscal_year__lt=fiscal_year)
        .order_by("-fiscal_year")
        .first()
    )
    with transaction.atomic():
        survey.save()
        if previous is not None:
            questions = [
                Question(
                    survey=survey,
                    **{
                        f.name: getattr(q, f.name)
                        for f in Question._meta.concrete_fields
                        if f.name not in ("id", "survey")
                    },
                )
                for q in previous.questions.all()
            ]
        else:
            questions = [
                Question(survey=survey, order=(i + 1) * 10, **t.__dict__)
                for i, t in enumerate(DEFAULT_QUESTIONS)
            ]
        Question.objects.bulk_create(questions)
    return survey


def survey_set_status(*, survey: Survey, status: str) -> Survey:
    if status not in SurveyStatus.values:
        raise ValidationError(_("状態の指定が正しくありません。"))
    survey.status = status
    survey.save(update_fields=["status"])
    return survey


def _drafting(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(_("設問を変えられるのは準備中の調査だけです。"))


def answered(survey: Survey) -> bool:
    """Whether any municipality has answered: from then on the questions keep their wording,
    type and order, so every answer keeps the meaning it was given."""
    return Answer.objects.filter(question__survey=survey).exclude(value="").exists()


def _unanswered(survey: Survey) -> None:
    if answered(survey):
        raise ValidationError(
            _("この調査にはもう回答があるため、設問の内容と順番は変えられません。")
        )


def _check_choices(question: Question) -> None:
    if question.kind == QuestionKind.CHOICE and len(question.choices) < 2:
        raise ValidationError(_("選択肢を2つ以上書いてください。"))


def question_add(*, survey: Survey, **fields: Any) -> Question:
    _drafting(survey)
    last = survey.questions.order_by("-order").values_list("order", flat=True).first() or 0
    question = Question(survey=survey, order=last + 10, **fields)
    _check_choices(question)
    question.full_clean()
    try:
        question.save()
    except IntegrityError as exc:
        raise ValidationError(_("この識別子の設問はもうあります。")) from exc
    return question


# What editing may change: never the key (it names the question year on year) nor the survey.
QUESTION_EDITABLE = (
    "section", "text", "help_text", "kind", "choices", "unit", "max_value", "measured",
    "evidence_requested",
)  # fmt: skip


def question_edit(*, question: Question, **fields: Any) -> Question:
    """Change a question's wording and type while its survey is drafted and unanswered."""
    _drafting(question.survey)
    _unanswered(question.survey)
    refused = set(fields) - set(QUESTION_EDITABLE)
    if refused:
        raise ValidationError(
            _("設問の識別子は変えられません（前年度と比べるための名前です）。")
            if "key" in refused
            else _("変えられない項目があります。")
        )
    for name, value in fields.items():
        setattr(question, name, value)
    if question.kind != QuestionKind.CHOICE:
        question.choices = []
    _check_choices(question)
    question.full_clean()
    question.save()
    return question


def question_move(*, question: Question, up: bool) -> Question:
    """Swap the question with its neighbour in the same section (上へ / 下へ)."""
    survey = question.survey
    _drafting(survey)
    _unanswered(survey)
    with transaction.atomic():
        siblings = list(
            Question.objects.select_for_update()
            .filter(survey=survey, section=question.section)
            .order_by("order", "pk")
        )
        index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(siblings):
            raise ValidationError(
                _("この設問はもう一番上です。") if up else _("この設問はもう一番下です。")
            )
        siblings[index], siblings[other] = siblings[other], siblings[index]
        # Renumber the section in steps of 10 within the section's own range of orders.
        orders = sorted(q.order for q in siblings)
        if len(set(orders)) < len(orders):
            start = orders[0]
            orders = [start + 10 * i for i in range(len(siblings))]
        for q, order in zip(siblings, orders, strict=True):
            if q.order != order:
                q.order = order
                q.save(update_fields=["order"])
    question.refresh_from_db()
    return question


def parse_answer(question: Question, raw: str) -> tuple[str, Decimal | None]:
    """The stored value and number of one answer; ValidationError with a message for the form."""
    raw = raw.strip()
    if not raw:
        return "", None
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        if raw not in (YES, NO):
            raise ValidationError(_("「はい」か「いいえ」を選んでください。"))
        return raw, None
    if kind == QuestionKind.CHOICE:
        if raw not in question.choices:
            raise ValidationError(_("選択肢から選んでください。"))
        return raw, None
    if kind in (QuestionKind.NUMBER, QuestionKind.PERCENT):
        try:
            number = Decimal(raw.replace(",", "").translate(_FULLWIDTH))
        except InvalidOperation:
            raise ValidationError(_("半角の数字で入力してください（例：12）。")) from None
        if not number.is_finite() or number < 0:
            raise ValidationError(_("0以上の数を入力してください。"))
        upper = question.max_value if question.max_value is not None else 10**9
        if number > upper:
            raise ValidationError(_("%(max)s以下の数を入力してください。") % {"max": upper})
        number = number.quantize(Decimal("0.01"))
        return format(number.normalize(), "f"), number
    return raw[:2000], None


_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def response_for(*, survey: Survey, municipality: Municipality) -> Response:
    response, _created = Response.objects.get_or_create(survey=survey, municipality=municipality)
    return response


@dataclass
class SaveResult:
    errors: dict[int, str]  # question id -> message
    submitted: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def response_save(
    *,
    response: Response,
    questions: list[Question],
    raw: dict[int, str],
    measured: dict[int, str],
    actor: StaffUser,
    submit: bool,
) -> SaveResult:
    """Save the answers (`raw`: question id -> text); with `submit`, every question but free text
    must be answered. `measured` holds the pre-filled values, so an answer left as measured is
    marked as Madoguchi's figure. Nothing is saved when any answer is wrong."""
    if response.survey.status != SurveyStatus.OPEN:
        return SaveResult(errors={0: _("この調査は回答を受け付けていません。")})
    parsed: dict[int, tuple[str, Decimal | None]] = {}
    errors: dict[int, str] = {}
    for question in questions:
        try:
            parsed[question.pk] = parse_answer(question, raw.get(question.pk, ""))
        except ValidationError as exc:
            errors[question.pk] = exc.messages[0]
            continue
        if submit and question.kind != QuestionKind.TEXT and not parsed[question.pk][0]:
            errors[question.pk] = _("提出するには、この設問に答えてください。")
    if errors:
        return SaveResult(errors=errors)
    with transaction.atomic():
        for question in questions:
            value, number = parsed[question.pk]
            Answer.objects.update_or_create(
                response=response,
                question=question,
                defaults={
                    "value": value,
                    "number": number,
                    "measured": bool(value) and measured.get(question.pk) == value,
                },
            )
        if submit:
            response.submitted_at = timezone.now()
            response.submitted_by = actor
        response.save()
    return SaveResult(errors={}, submitted=submit)


def evidence_add(
    *, response: Response, question: Question | None, uploaded: UploadedFile, actor: StaffUser
) -> Evidence:
    """Store a checked file in the private store under an opaque name (like attachments)."""
    if response.survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("この調査は回答を受け付けていません。"))
    return store_checked_file(
        Evidence,
        uploaded,
        municipality=response.municipality,
        response=response,
        question=question,
        uploaded_by=actor,
    )
