"""Counter mode (窓口モード) for counter staff: scan a pre-input, or fill a form by interview.

A USB QR scanner in keyboard mode types each code into the scan field and presses Enter, which
submits the form: without JavaScript, the parts of a multi-code payload wait in the session (they
are ciphertext) until every part is there. A photo or scan of the codes can be uploaded instead
and is decoded on the server (zxing-cpp). The scanned answers open a counter case: the whole
form on one page for staff (the same form engine and validation as residents, counter channel),
with the card agent's hand-off, postal look-up and what staff checked against identity
documents; then the resident's confirmation screen, then the application (channel "counter").
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import audit_object, staff_required
from madoguchi.accounts.models import StaffUser
from madoguchi.accounts.permissions import COUNTER_SERVE, PREINPUT_SCAN
from madoguchi.procedures.formdef import StepForm, build_step_form, summarize, visible_steps
from madoguchi.procedures.formdef.fields.base import PendingUpload
from madoguchi.procedures.selectors import (
    form_version_current,
    form_version_definition,
    procedure_get_for_staff,
)

from . import selectors, services
from .models import CounterCase, CounterStation, CounterVisit
from .preinput import codec, qr
from .preinput.errors import PreInputRefused

PENDING = "counter:scan-parts"
STATION = "counter:station"
DONE = "counter:done"
MAX_UPLOAD = 8 * 1024 * 1024
MAX_PENDING = 99
CHANNEL = services.COUNTER_FORM_CHANNEL
FORM_ACTIONS = ("add:", "remove:", "postal:")


def _station(request: HttpRequest, user: StaffUser) -> CounterStation | None:
    station_id = request.session.get(STATION)
    if not station_id or user.municipality is None:
        return None
    return next(
        (
            s
            for s in selectors.counter_stations(municipality=user.municipality)
            if s.pk == station_id
        ),
        None,
    )


@staff_required(COUNTER_SERVE, personal_data=False)
def desk(request: HttpRequest) -> HttpResponse:
    """The counter's start page: scan, or fill a form by interview; the clerk's open forms."""
    user = staff_user(request)
    assert user.municipality is not None
    return render(
        request,
        "counter/desk.html",
        {
            "procedures": selectors.counter_procedures(municipality=user.municipality),
            "stations": selectors.counter_stations(municipality=user.municipality),
            "station": _station(request, user),
            "open_cases": selectors.counter_cases_open(user=user),
        },
    )


@require_POST
@staff_required(COUNTER_SERVE, personal_data=False)
def station_choose(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    assert user.municipality is not None
    chosen = request.POST.get("station", "")
    stations = selectors.counter_stations(municipality=user.municipality)
    found = next((s for s in stations if str(s.pk) == chosen), None)
    request.session[STATION] = found.pk if found else None
    return redirect("counter_staff:desk")


@require_POST
@staff_required(COUNTER_SERVE, personal_data=False)
def interview_start(request: HttpRequest) -> HttpResponse:
    """Fill a form from scratch on the resident's behalf (聞き取り)."""
    user = staff_user(request)
    assert user.municipality is not None
    procedure = procedure_get_for_staff(
        municipality=user.municipality, slug=request.POST.get("procedure", "")[:100]
    )
    case = services.counter_case_open(
        staff=user,
        procedure=procedure,
        form_version=form_version_current(procedure=procedure),
        station=_station(request, user),
    )
    return redirect("counter_staff:case", case_id=case.pk)


@staff_required(PREINPUT_SCAN, COUNTER_SERVE, personal_data=True)
def scan(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    assert user.municipality is not None
    context: dict[str, Any] = {"error": "", "pending": [], "total": 0}
    status = 200
    pending: list[str] = list(request.session.get(PENDING, []))
    if request.method == "POST":
        if request.POST.get("_action") == "reset":
            pending = []
        else:
            try:
                pending = _collect(request, pending)
                data = _redeem_if_complete(user, pending)
            except PreInputRefused as exc:
                if exc.code != "PI-MISSING":
                    pending = []
                    status = 400
                context["error"] = exc.message
            else:
                if isinstance(data, services.VisitData):
                    request.session[PENDING] = []
                    visit = services.counter_visit_open(
                        staff=user, data=data, station=_station(request, user)
                    )
                    return redirect("counter_staff:visit", visit_id=visit.pk)
                if data is not None:
                    request.session[PENDING] = []
                    case = services.counter_case_from_preinput(
                        staff=user, data=data, station=_station(request, user)
                    )
                    return redirect("counter_staff:case", case_id=case.pk)
        request.session[PENDING] = pending
    if pending:
        parts = [codec.parse_part(p) for p in pending]
        context["pending"] = sorted(p.index for p in parts)
        context["total"] = parts[0].total
    audit_object(request, object_type="counter.scan", object_id="")
    return render(request, "counter/scan.html", context, status=status)


def _collect(request: HttpRequest, pending: list[str]) -> list[str]:
    scanned = services.scanned_lines(request.POST.get("code", ""))
    upload = request.FILES.get("image")
    if upload is not None:
        if upload.size is None or upload.size > MAX_UPLOAD:
            raise PreInputRefused("PI-NOQR")
        scanned += qr.decode_image(upload.read())
    if not scanned:
        raise PreInputRefused("PI-EMPTY")
    prefixes = (services.TOKEN_PREFIX + ".", services.VISIT_TOKEN_PREFIX + ".")
    tokens = [s for s in scanned if s.startswith(prefixes)]
    if tokens:
        return tokens[:1]
    for text in scanned:
        part = codec.parse_part(text)  # refuses what is not a part
        known = [codec.parse_part(p) for p in pending]
        if known and known[0].message_id != part.message_id:
            raise PreInputRefused("PI-MIXED")
        if all(k.index != part.index for k in known):
            pending.append(text)
    return pending[:MAX_PENDING]


def _redeem_if_complete(
    user: StaffUser, pending: list[str]
) -> services.PreInputData | services.VisitData | None:
    assert user.municipality is not None
    if pending and pending[0].startswith(codec.PART_PREFIX + "."):
        codec.join(pending)  # PI-MISSING names what is still to scan
    return services.preinput_redeem(
        municipality=user.municipality, scanned_text="\n".join(pending), redeemed_by=user
    )


# --- The form at the counter -------------------------------------------------------------------


def _step_forms(case: CounterCase, data: Any = None) -> list[StepForm]:
    definition = form_version_definition(form_version=case.form_version)
    return [
        build_step_form(definition, step.key, data=data, answers=case.answers, channel=CHANNEL)
        for step in visible_steps(definition, case.answers, channel=CHANNEL)
    ]


def _posted_answers(case: CounterCase, forms: list[StepForm]) -> tuple[dict[str, Any], bool]:
    """What the page holds: each valid step's answers, the valid fields of the others (files
    are not taken at the counter: the resident shows the documents)."""
    answers = dict(case.answers)
    valid = True
    for form in forms:
        if form.is_valid():
            answers.update(form.step_answers())
        else:
            valid = False
            answers.update(
                {k: v for k, v in form.values.items() if not isinstance(v, PendingUpload)}
            )
    return answers, valid


def _case_for_edit(request: HttpRequest, case_id: int) -> CounterCase:
    case = selectors.access_counter_case(user=staff_user(request), case_id=case_id)
    audit_object(request, case)
    return case


@staff_required(COUNTER_SERVE, personal_data=True)
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    if case.status == CounterCase.Status.COMPLETED:
        return redirect("counter_staff:done", case_id=case.pk)
    if case.status == CounterCase.Status.ABANDONED:
        return render(request, "counter/case_closed.html", {"case": case}, status=410)
    identity_error = ""
    document = case.identity_document
    verified = list(case.verified_fields)
    status = 200
    if request.method == "POST":
        action = request.POST.get("_action", "save")
        document = request.POST.get("identity_document", "")
        verified = request.POST.getlist("verified")
        forms = _step_forms(case, request.POST)
        if action.startswith(FORM_ACTIONS):
            for form in forms:
                form.handle_action(action)
                form.action_handled = True  # no error messages while the form is changing
        else:
            answers, valid = _posted_answers(case, forms)
            if action == "complete" and valid:
                try:
                    services.counter_case_complete(
                        case=case,
                        answers=answers,
                        identity_document=document,
                        verified_fields=verified,
                    )
                except services.CaseInvalid as exc:
                    identity_error = " ".join(exc.errors.get("_identity_document", []))
                    status = 400
                else:
                    return redirect("counter_staff:confirm", case_id=case.pk)
            elif action == "complete":
                services.counter_case_save(case=case, answers=answers)
                status = 400
            else:
                case.identity_document = (
                    document if document in CounterCase.IdentityDocument.values else ""
                )
                case.verified_fields = [v for v in verified if v in services.VERIFIABLE]
                services.counter_case_save(case=case, answers=answers)
                if action == "card":
                    filled = services.counter_card_take(case=case)
                    if filled:
                        messages.success(
                            request,
                            _("カードから%(count)d項目を読み込みました。内容を確かめてください。")
                            % {"count": len(filled)},
                        )
                    else:
                        messages.warning(
                            request,
                            _(
                                "カードの読み取り結果が届いていません。カードリーダーで読み取ってから、もう一度押してください。"
                            ),
                        )
                else:
                    messages.success(request, _("入力内容を保存しました。"))
                return redirect("counter_staff:case", case_id=case.pk)
    else:
        forms = _step_forms(case)
    return render(
        request,
        "counter/case_edit.html",
        {
            "case": case,
            "forms": forms,
            "documents": CounterCase.IdentityDocument.choices,
            "document": document,
            "verifiable": [
                ("name", _("氏名")),
                ("address", _("住所")),
                ("birth_date", _("生年月日")),
            ],
            "verified": verified,
            "identity_error": identity_error,
            "card_waiting": bool(case.card_attributes),
        },
        status=status,
    )


@staff_required(COUNTER_SERVE, personal_data=True)
def case_confirm(request: HttpRequest, case_id: int) -> HttpResponse:
    """The resident's confirmation screen (a tablet turned towards them, or the PC screen)."""
    case = _case_for_edit(request, case_id)
    if case.status == CounterCase.Status.COMPLETED:
        return redirect("counter_staff:done", case_id=case.pk)
    if case.status != CounterCase.Status.CONFIRMING:
        return redirect("counter_staff:case", case_id=case.pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            confirmed = services.counter_case_confirm(case=case)
        except services.CaseInvalid as exc:
            errors = exc.errors
        else:
            request.session[DONE] = {
                "case": case.pk,
                "access_code": confirmed.access_code,
            }
            return redirect("counter_staff:done", case_id=case.pk)
    definition = form_version_definition(form_version=case.form_version)
    return render(
        request,
        "counter/case_confirm.html",
        {
            "case": case,
            "sections": summarize(definition, case.answers, channel=CHANNEL),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@staff_required(COUNTER_SERVE, personal_data=True)
def case_done(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for_edit(request, case_id)
    if case.status != CounterCase.Status.COMPLETED or case.application is None:
        return redirect("counter_staff:case", case_id=case.pk)
    done = request.session.get(DONE) or {}
    access_code = done.get("access_code", "") if done.get("case") == case.pk else ""
    return render(
        request,
        "counter/case_done.html",
        {"case": case, "application": case.application, "access_code": access_code},
    )


# --- A visit: one scan, several procedures ----------------------------------------------------


@staff_required(COUNTER_SERVE, personal_data=True)
def visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The scanned visit: the pre-filled procedures and the related ones the answers make
    likely (each with its reason); staff tick which to issue, each becomes its own form."""
    user = staff_user(request)
    found = selectors.access_counter_visit(user=user, visit_id=visit_id)
    audit_object(request, found)
    status = 200
    if request.method == "POST" and found.status == CounterVisit.Status.OPEN:
        cases = services.counter_visit_issue(
            visit=found, staff=user, slugs=request.POST.getlist("procedure")
        )
        if cases:
            return redirect("counter_staff:visit", visit_id=found.pk)
        messages.error(request, _("作成する手続を1つ以上選んでください。"))
        status = 400
    context: dict[str, Any] = {"visit": found, "cases": selectors.counter_visit_cases(visit=found)}
    if found.status == CounterVisit.Status.OPEN:
        english = (get_language() or "").startswith("en")
        suggested = selectors.counter_visit_suggestions(visit=found, today=timezone.localdate())
        slugs = [i["procedure"] for i in found.items] + [s.procedure for s in suggested]
        procedures = selectors.procedures_by_slug(municipality=found.municipality, slugs=slugs)
        context["prefilled"] = [procedures[i["procedure"]] for i in found.items]
        context["suggested"] = [
            (procedures[s.procedure], [en if english else ja for ja, en in s.reasons])
            for s in suggested
        ]
    return render(request, "counter/visit.html", context, status=status)


@require_POST
@staff_required(COUNTER_SERVE, personal_data=False)
def case_abandon(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.access_counter_case(user=staff_user(request), case_id=case_id)
    services.counter_case_abandon(case=case)
    messages.info(request, _("入力を中止しました。入力内容は消去しました。"))
    return redirect("counter_staff:desk")
