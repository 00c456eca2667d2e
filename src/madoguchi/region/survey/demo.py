"""A demo of the DX survey: last year's survey answered by every town (closed), this year's
open and answered by the neighbours only, so the demo town's manager can answer it."""

from __future__ import annotations

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality, Prefecture

from ..models import Survey, SurveyStatus
from . import services

LAST_YEAR = {
    "cio": "yes", "cio_adviser": "no", "policy": "策定中", "external_talent": "0", "ai": "no",
    "rpa": "yes", "standard_systems": "3", "online_procedures": "12", "online_share": "18",
    "kakanai": "no", "preinput_share": "0", "cashless": "no",
}  # fmt: skip
THIS_YEAR = {
    **LAST_YEAR, "policy": "策定済み", "external_talent": "1", "ai": "yes",
    "standard_systems": "9", "online_procedures": "25", "online_share": "31", "kakanai": "yes",
    "preinput_share": "12", "cashless": "yes",
}  # fmt: skip


def _answer(survey: Survey, town: Municipality, values: dict[str, str], actor: StaffUser) -> None:
    questions = list(survey.questions.all())
    response = services.response_for(survey=survey, municipality=town)
    raw = {q.pk: values.get(q.key, "") for q in questions}
    services.response_save(
        response=response, questions=questions, raw=raw, measured={}, actor=actor, submit=True
    )


def load(
    *, prefecture: Prefecture, towns: list[Municipality], fiscal_year: int, actor: StaffUser
) -> None:
    if Survey.objects.filter(prefecture=prefecture).exists():
        return
    last = services.survey_create(
        prefecture=prefecture, fiscal_year=fiscal_year - 1, title="DX推進状況調査"
    )
    services.survey_set_status(survey=last, status=SurveyStatus.OPEN)
    for town in towns:
        _answer(last, town, LAST_YEAR, actor)
    services.survey_set_status(survey=last, status=SurveyStatus.CLOSED)
    this = services.survey_create(
        prefecture=prefecture, fiscal_year=fiscal_year, title="DX推進状況調査"
    )
    services.survey_set_status(survey=this, status=SurveyStatus.OPEN)
    for town in towns[1:]:
        _answer(this, town, THIS_YEAR, actor)
