"""Staff pages of the form builder, mounted at /staff/catalogue/forms/ (every page works without
JavaScript; builder.js only adds dragging to the outline's move buttons).

Each view reads the signed-in user's municipality, finds the procedure through a scoped
selector (404 for another municipality's), calls one service and renders or redirects.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from madoguchi.accounts.guard import staff_required
from madoguchi.accounts.models import StaffUser
from madoguchi.accounts.permissions import APPROVE_FORMS, EDIT_FORMS
from madoguchi.procedures.formdef import build_step_form, summarize, visible_steps
from madoguchi.procedures.formdef.parsing import KEY
from madoguchi.procedures.models import Category, Procedure
from madoguchi.tenancy.models import Municipality

from . import selectors, services
from .builder import editing
from .builder.forms import NodeForm, definition_error_target, type_choices, type_label
from .builder.samples import sample_answers
from .models import FormDraft

PREVIEW_SESSION = "catalogue.preview:{}"
CHECK_STEP = "_check"


def _municipality(request: HttpRequest) -> Municipality:
    municipality = request.user.municipality  # type: ignore[union-attr]
    assert isinstance(municipality, Municipality)
    return municipality


def _user(request: HttpRequest) -> StaffUser:
    assert isinstance(request.user, StaffUser)
    return request.user


def _procedure(request: HttpRequest, slug: str) -> Procedure:
    return selectors.builder_procedure(municipality=_municipality(request), slug=slug)


def _editor_url(procedure: Procedure, anchor: str = "") -> str:
    url = reverse("catalogue_builder:editor", args=[procedure.slug])
    return f"{url}#{anchor}" if anchor else url


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- The list and a new procedure -------------------------------------------------------------


@staff_required(EDIT_FORMS, personal_data=False)
def procedure_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.builder_procedures(municipality=_municipality(request))
    return render(request, "catalogue/builder/list.html", {"rows": rows})


class ProcedureForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("手続名"), max_length=120)
    name_en = forms.CharField(label=gettext_lazy("手続名（英語）"), max_length=200, required=False)
    slug = forms.SlugField(
        label=gettext_lazy("識別名"),
        max_length=80,
        help_text=gettext_lazy("URL に使う英小文字・数字・- の名前。例：child-allowance"),
    )
    category = forms.ChoiceField(label=gettext_lazy("分類"), choices=Category.choices)
    summary = forms.CharField(label=gettext_lazy("概要（1行）"), max_length=200, required=False)
    department = forms.CharField(label=gettext_lazy("担当課"), max_length=80, required=False)

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"])
        if not slug.isascii():
            raise ValidationError(_("英小文字・数字・- で入力してください。"))
        return slug.lower()


@staff_required(EDIT_FORMS, personal_data=False)
def procedure_new(request: HttpRequest) -> HttpResponse:
    form = ProcedureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.procedure_create(
                municipality=_municipality(request), actor=_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("手続を作りました。続けて様式を作ってください。"))
            return redirect(_editor_url(draft.procedure))
    return render(request, "catalogue/builder/new.html", {"form": form})


# --- The editor -------------------------------------------------------------------------------


class AddStepForm(forms.Form):
    key = forms.RegexField(regex=KEY, max_length=50, label=gettext_lazy("ページの識別名"))
    title = forms.CharField(max_length=200, label=gettext_lazy("ページの見出し"))


class AddFieldForm(forms.Form):
    parent = forms.CharField(max_length=60, widget=forms.HiddenInput)
    type = forms.ChoiceField(label=gettext_lazy("種類"), choices=type_choices)
    key = forms.RegexField(regex=KEY, max_length=50, label=gettext_lazy("識別名"))
    label = forms.CharField(max_length=200, label=gettext_lazy("項目名"))


class HeaderForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, label=gettext_lazy("様式の題名"))
    title_en = forms.CharField(
        max_length=200, required=False, label=gettext_lazy("様式の題名（英語）")
    )


class FeesForm(forms.Form):
    """The fee rule as JSON (docs/form-definition.md, "Fees"); empty for no fee. The parser
    checks what it means, like every other part of the definition."""

    fees = forms.CharField(
        required=False,
        max_length=20_000,
        label=gettext_lazy("手数料の定め（JSON）"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "mg-textarea", "spellcheck": "false"}),
    )

    def clean_fees(self) -> Any:
        text = self.cleaned_data["fees"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("JSON として読めません（%(line)s 行目）。括弧や「,」を確かめてください。")
                % {"line": getattr(exc, "lineno", "?")}
            ) from exc


def fees_text(definition: dict[str, Any]) -> str:
    fees = definition.get("fees")
    return "" if fees is None else json.dumps(fees, ensure_ascii=False, indent=2)


@staff_required(EDIT_FORMS, personal_data=False)
def editor(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    draft = selectors.open_draft(procedure=procedure)
    versions = list(selectors.versions(procedure=procedure))
    published = selectors.published_drafts(procedure=procedure)
    context: dict[str, Any] = {
        "procedure": procedure,
        "draft": draft,
        "versions": versions,
        "version_rows": [(v, published.get(v.number)) for v in versions],
        "history": selectors.draft_history(procedure=procedure),
    }
    if draft is not None:
        state = selectors.definition_state(draft.definition)
        user = _user(request)
        editors = services.draft_editors(draft)
        context.update(
            state=state,
            outline=_outline(state),
            header=HeaderForm(
                prefix="header",
                initial={
                    "title": draft.definition.get("title", ""),
                    "title_en": draft.definition.get("title_en", ""),
                },
            ),
            add_step=AddStepForm(prefix="step"),
            fees=FeesForm(prefix="fees", initial={"fees": fees_text(draft.definition)}),
            fees_error=state.error
            if state.error and state.error.path.split(".")[0].split("[")[0] == "fees"
            else None,
            type_choices=type_choices(),
            may_approve=user.has_perm(APPROVE_FORMS) and user.pk not in editors,
            is_editor=user.pk in editors,
            preview_url=reverse("catalogue_builder:preview", args=[procedure.slug]),
        )
    return render(request, "catalogue/builder/editor.html", context)


def _outline(state: selectors.DraftState) -> list[dict[str, Any]]:
    """Steps, their fields and a group's sub-fields, nested for the template, with the parser's
    error and the checks' findings beside each one."""
    counts: dict[str, int] = {}
    for path, _obj in state.nodes:
        parent = str(path.parent) if path.parent else ""
        counts[parent] = counts.get(parent, 0) + 1
    steps: list[dict[str, Any]] = []
    for path, obj in state.nodes:
        key = str(path)
        parent = str(path.parent) if path.parent else ""
        declared = str(obj.get("type", ""))
        kind = editing.kind_of(obj)
        row = {
            "path": key,
            "is_step": path.is_step,
            "obj": obj,
            "name": obj.get("title" if path.is_step else "label") or obj.get("key", ""),
            "type_label": type_label(declared) if declared else "",
            "repeats": bool(kind and kind.repeats),
            "first": path.index == 0,
            "last": path.index == counts[parent] - 1,
            "error": state.error if state.error_node == key else None,
            "error_rest": state.error_rest,
            "findings": state.findings.get(key, []),
            "children": [],
        }
        if path.is_step:
            steps.append(row)
        elif path.sub is None:
            steps[-1]["children"].append(row)
        else:
            steps[-1]["children"][-1]["children"].append(row)
    return steps


def _draft_or_redirect(request: HttpRequest, procedure: Procedure) -> FormDraft | HttpResponse:
    draft = selectors.open_draft(procedure=procedure)
    if draft is None:
        messages.error(request, _("下書きがありません。「様式の編集を始める」を押してください。"))
        return redirect(_editor_url(procedure))
    return draft


@staff_required(EDIT_FORMS, personal_data=False)
@require_POST
def draft_start(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    services.draft_start(procedure=procedure, actor=_user(request))
    return redirect(_editor_url(procedure))


@staff_required(EDIT_FORMS, personal_data=False)
@require_POST
def structure(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a step or field, move one up/down (or to a place, when dragged), remove one, or set
    the form's title."""
    procedure = _procedure(request, slug)
    found = _draft_or_redirect(request, procedure)
    if isinstance(found, HttpResponse):
        return found
    action = request.POST.get("action", "")
    anchor = ""
    try:
        edit, note, anchor = _structure_edit(request, found, action)
    except (editing.EditError, ValueError):
        messages.error(request, _("操作を受け付けられませんでした。画面を開き直してください。"))
        return redirect(_editor_url(procedure))
    except _FormInvalid as exc:
        messages.error(request, exc.message)
        return redirect(_editor_url(procedure))
    try:
        services.draft_edit(
            draft=found, actor=_user(request), revision=_revision(request), edit=edit, note=note
        )
    except editing.EditError:
        messages.error(request, _("操作を受け付けられませんでした。画面を開き直してください。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(_editor_url(procedure, anchor))


class _FormInvalid(Exception):
    def __init__(self, form: forms.Form) -> None:
        self.message = " ".join(
            f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, errors))}"
            for name, errors in form.errors.items()
        )


def _structure_edit(
    request: HttpRequest, draft: FormDraft, action: str
) -> tuple[services.Edit, str, str]:
    post = request.POST
    if action == "add_step":
        form: forms.Form = AddStepForm(post, prefix="step")
        if not form.is_valid():
            raise _FormInvalid(form)
        key, title = form.cleaned_data["key"], form.cleaned_data["title"]
        count = len(draft.definition.get("steps") or [])
        return (
            lambda d: editing.add_step(d, key=key, title=title),
            _("ページ「%(t)s」を追加") % {"t": title},
            f"node-steps[{count}]",
        )
    if action == "add_field":
        form = AddFieldForm(post)
        if not form.is_valid():
            raise _FormInvalid(form)
        parent = editing.NodePath.parse(form.cleaned_data["parent"])
        data = form.cleaned_data
        return (
            lambda d: editing.add_field(
                d, parent=parent, key=data["key"], type_name=data["type"], label=data["label"]
            ),
            _("項目「%(t)s」を追加") % {"t": data["label"]},
            f"node-{parent}",
        )
    if action == "header":
        form = HeaderForm(post, prefix="header")
        if not form.is_valid():
            raise _FormInvalid(form)
        title, title_en = form.cleaned_data["title"], form.cleaned_data["title_en"]
        return (
            lambda d: editing.set_header(d, title=title, title_en=title_en),
            _("題名を変更"),
            "",
        )
    if action == "fees":
        form = FeesForm(post, prefix="fees")
        if not form.is_valid():
            raise _FormInvalid(form)
        fees = form.cleaned_data["fees"]
        return lambda d: editing.set_fees(d, fees=fees), _("手数料を変更"), "node-fees"
    path = editing.NodePath.parse(post.get("path", ""))
    if action in ("up", "down", "to"):
        if action == "to":
            target = int(post.get("to", ""))
        else:
            target = path.index + (-1 if action == "up" else 1)
        return (
            lambda d: editing.move(d, path, target),
            _("%(p)s を移動") % {"p": path},
            f"node-{path.with_index(target)}",
        )
    if action == "remove":
        return lambda d: editing.remove(d, path), _("%(p)s を削除") % {"p": path}, ""
    raise ValueError(action)


@staff_required(EDIT_FORMS, personal_data=False)
def node_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit one step or field (`?at=steps[0].fields[1]`): every attribute its type has."""
    procedure = _procedure(request, slug)
    found = _draft_or_redirect(request, procedure)
    if isinstance(found, HttpResponse):
        return found
    draft = found
    at = request.GET.get("at", "")
    try:
        path = editing.NodePath.parse(at)
        obj = editing.node(draft.definition, path)
    except editing.EditError:
        messages.error(request, _("その場所はもうありません。一覧から選び直してください。"))
        return redirect(_editor_url(procedure))
    controllers = _controllers(draft.definition, path)
    form = NodeForm(request.POST or None, node=obj, is_step=path.is_step, controllers=controllers)
    if request.method == "POST" and draft.is_editable and form.is_valid():
        values, managed = form.values(), form.managed()
        try:
            updated = services.draft_edit(
                draft=draft,
                actor=_user(request),
                revision=_revision(request),
                edit=lambda d: editing.replace_node(d, path, values, managed),
                note=_("%(p)s を編集") % {"p": path},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            state = selectors.definition_state(updated.definition)
            if state.error is not None and state.error_node == str(path):
                messages.error(request, _("保存しましたが、直すところがあります。"))
                return redirect(
                    reverse("catalogue_builder:node_edit", args=[procedure.slug]) + f"?at={path}"
                )
            messages.success(request, _("保存しました。"))
            return redirect(_editor_url(procedure, f"node-{path}"))
    state = selectors.definition_state(draft.definition)
    error = state.error if state.error_node == str(path) else None
    return render(
        request,
        "catalogue/builder/node.html",
        {
            "procedure": procedure,
            "draft": draft,
            "path": path,
            "obj": obj,
            "form": form,
            "findings": state.findings.get(str(path), []),
            "definition_error": error,
            "error_target": definition_error_target(form, state.error_rest) if error else "",
            "preview_url": reverse("catalogue_builder:preview", args=[procedure.slug])
            + f"?step={editing.node(draft.definition, editing.NodePath(path.step)).get('key', '')}",
        },
    )


def _controllers(definition: dict[str, Any], path: editing.NodePath) -> list[tuple[str, str]]:
    """The fields a condition at `path` may look at: those before it (and, inside a group,
    the group's earlier sub-fields)."""
    found: list[tuple[str, str]] = []
    for other, obj in editing.walk(definition):
        if other.is_step:
            continue
        before = (other.step, other.field or 0) < (path.step, path.field or 0)
        same_group_earlier = (
            other.sub is not None
            and path.sub is not None
            and (other.step, other.field) == (path.step, path.field)
            and other.sub < path.sub
        )
        if (before and other.sub is None) or same_group_earlier:
            kind = editing.kind_of(obj)
            if kind is not None and kind.drives_conditions:
                key = str(obj.get("key", ""))
                found.append((key, f"{obj.get('label', '')}（{key}）"))
    return found


# --- Import, export, diff ---------------------------------------------------------------------


class ImportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("様式定義（JSON）"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
    )
    file = forms.FileField(label=gettext_lazy("または JSON ファイル"), required=False)


@staff_required(EDIT_FORMS, personal_data=False)
def import_json(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    found = _draft_or_redirect(request, procedure)
    if isinstance(found, HttpResponse):
        return found
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"] or ""
        upload = form.cleaned_data.get("file")
        if upload is not None:
            raw = upload.read(services.IMPORT_MAX_BYTES + 1)
            text = raw.decode("utf-8-sig", errors="replace")
        try:
            services.draft_import(
                draft=found, actor=_user(request), revision=_revision(request), text=text
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("JSON を取り込みました。"))
            return redirect(_editor_url(procedure))
    return render(
        request,
        "catalogue/builder/import.html",
        {"procedure": procedure, "draft": found, "form": form},
    )


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise Http404
    return int(value)


@staff_required(EDIT_FORMS, personal_data=False)
def export_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft (or `?version=N`) in the JSON format the import and the command line read."""
    procedure = _procedure(request, slug)
    number = _int_param(request, "version")
    if number is None:
        draft = selectors.open_draft(procedure=procedure)
        if draft is not None:
            definition: Any = draft.definition
            name = f"{procedure.slug}-draft.json"
        else:
            current = procedure.current_version
            if current is None:
                raise Http404
            definition, name = current.definition, f"{procedure.slug}-v{current.number}.json"
    else:
        definition = selectors.version_definition(procedure=procedure, number=number)
        name = f"{procedure.slug}-v{number}.json"
    response = HttpResponse(
        selectors.definition_json(definition), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_required(EDIT_FORMS, personal_data=False)
def diff(request: HttpRequest, slug: str) -> HttpResponse:
    """`?from=N&to=M` between versions; without `to`, the draft against `from` (or its base)."""
    procedure = _procedure(request, slug)
    draft = selectors.open_draft(procedure=procedure)
    old, new = _int_param(request, "from"), _int_param(request, "to")
    if new is None and draft is None:
        current = procedure.current_version
        if current is None:
            return redirect(_editor_url(procedure))
        new = current.number
        old = old if old is not None else (new - 1 or None)
    changes = selectors.draft_diff(procedure=procedure, draft=draft, old=old, new=new)
    return render(
        request,
        "catalogue/builder/diff.html",
        {
            "procedure": procedure,
            "draft": draft,
            "changes": changes,
            "old": old,
            "new": new,
            "versions": selectors.versions(procedure=procedure),
        },
    )


# --- Review and publication -------------------------------------------------------------------


@staff_required(EDIT_FORMS, personal_data=False)
@require_POST
def workflow(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    found = _draft_or_redirect(request, procedure)
    if isinstance(found, HttpResponse):
        return found
    user, action = _user(request), request.POST.get("action", "")
    try:
        if action == "submit":
            services.draft_submit(draft=found, actor=user, revision=_revision(request))
            messages.success(request, _("確認を依頼しました。ほかの職員が承認すると公開されます。"))
        elif action == "return":
            services.draft_return(draft=found, actor=user, note=request.POST.get("note", "")[:300])
            messages.success(request, _("編集中に戻しました。"))
        elif action == "publish":
            if not user.has_perm(APPROVE_FORMS):
                raise PermissionDenied
            draft = services.draft_publish(
                draft=found, actor=user, show_to_residents=request.POST.get("show") == "1"
            )
            number = draft.published_version.number if draft.published_version else 0
            messages.success(request, _("承認し、第%(n)d版として公開しました。") % {"n": number})
        elif action == "discard":
            services.draft_discard(draft=found, actor=user)
            messages.success(request, _("下書きを破棄しました。"))
        else:
            messages.error(request, _("操作を受け付けられませんでした。"))
    except ValidationError as exc:
        _errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("この操作をする権限がありません。"))
    return redirect(_editor_url(procedure))


# --- The live preview: the residents' own step pages, with sample answers --------------------


@staff_required(EDIT_FORMS, personal_data=False)
@xframe_options_sameorigin
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft's form exactly as residents see it (the same step form and templates), inside
    the editor's phone-sized frame. Answers live in the session only; nothing is submitted."""
    procedure = _procedure(request, slug)
    found = _draft_or_redirect(request, procedure)
    if isinstance(found, HttpResponse):
        return found
    draft = found
    state = selectors.definition_state(draft.definition)
    if state.parsed is None:
        response = render(
            request, "catalogue/builder/preview_invalid.html", {"state": state}, status=200
        )
        return _framable(response)
    definition = state.parsed
    key = PREVIEW_SESSION.format(draft.pk)
    stored = request.session.get(key)
    if (
        not isinstance(stored, dict)
        or request.GET.get("sample") == "1"
        or stored.get("r") != draft.revision
    ):
        stored = {"r": draft.revision, "answers": sample_answers(definition)}
        request.session[key] = stored
    answers: dict[str, Any] = stored["answers"]
    steps = visible_steps(definition, answers)
    keys = [s.key for s in steps]
    step_key = request.GET.get("step") or (keys[0] if keys else CHECK_STEP)
    base = reverse("catalogue_builder:preview", args=[procedure.slug])
    context: dict[str, Any] = {"procedure": procedure, "municipality": procedure.municipality}
    if step_key == CHECK_STEP or step_key not in keys:
        context.update(
            sections=[
                (section, f"{base}?step={section.step_key}")
                for section in summarize(definition, answers)
            ],
            steps=steps,
            step_number=len(steps) + 1,
        )
        return _framable(render(request, "catalogue/builder/preview_check.html", context))
    index = keys.index(step_key)
    if request.method == "POST":
        form = build_step_form(
            definition, step_key, data=request.POST, files=request.FILES, answers=answers
        )
        action = request.POST.get("_action", "next")
        if action not in {"next", "save"}:
            form.handle_action(action)
        elif form.is_valid():
            answers.update(form.step_answers())
            request.session[key] = {"r": draft.revision, "answers": answers}
            steps = visible_steps(definition, answers)
            keys = [s.key for s in steps]
            later = keys[keys.index(step_key) + 1 :] if step_key in keys else []
            return redirect(f"{base}?step={later[0] if later else CHECK_STEP}")
    else:
        form = build_step_form(definition, step_key, answers=answers)
    messages.info(request, _("プレビューです。入力しても申請にはなりません。"))
    context.update(
        form=form,
        step=steps[index],
        steps=steps,
        step_number=index + 1,
        previous=None,
        returning=False,
        journey_mode="preview",
    )
    return _framable(render(request, "applications/step.html", context))


def _framable(response: HttpResponse) -> HttpResponse:
    """The preview is shown inside the editor's frame (same origin only)."""
    response._csp_replace = {"frame-ancestors": ["'self'"]}  # type: ignore[attr-defined]
    return response
