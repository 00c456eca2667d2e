"""One step of a form definition as a Django form, fully usable without JavaScript.

The form reads the POSTed inputs into the JSON shapes of the answers and hands them to
`validate_fields`, the same validation the JSON API uses. Compound fields (氏名, 住所) and
repeating groups have several inputs, named by path with "__" between the parts:
``applicant_name__family``, ``children__0__birth_date``, ``children__count``.

Buttons named ``_action`` change the form instead of submitting it (see `handle_action`):
``add:children``, ``remove:children:1`` and ``postal:home_postal_code`` (or
``postal:children.0.postal_code``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.utils import ErrorDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from madoguchi.core.postal import format_postal_code, lookup_postal_code, normalize_postal_code

from .definition import MAX_GROUP_ITEMS, Condition, Field, FormDefinition, Step
from .fields.base import RAW_TEXT_LIMIT, FieldError, PendingUpload
from .fields.file import check_upload
from .fields.group import item_title
from .validation import (
    Errors,
    evaluate,
    field_applies,
    prune_hidden,
    today_local,
    validate_fields,
)
from .views import Choice, FieldView, InputView, ItemView, html_id, html_name

__all__ = [
    "Choice",
    "FieldView",
    "InputView",
    "ItemView",
    "StepForm",
    "SummaryError",
    "build_step_form",
    "html_id",
    "html_name",
    "item_title",
]

_ROLE_AUTOCOMPLETE = {
    "applicant_birth_date": "bday",
    "applicant_email": "email",
    "applicant_phone": "tel",
    "applicant_postal_code": "postal-code",
}


@dataclass
class SummaryError:
    message: str
    target: str


# --- The form ----------------------------------------------------------------------------------


class StepForm(forms.Form):
    """One step; validation is the engine's, so `errors` is keyed by field path."""

    template_name = "procedures/formdef/step_form.html"
    data: MultiValueDict[str, Any]
    files: MultiValueDict[str, Any]

    def __init__(
        self,
        definition: FormDefinition,
        step: Step,
        *,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        answers: Mapping[str, Any] | None = None,
        today: date | None = None,
        channel: str = "online",
        max_upload_bytes: int | None = None,
    ) -> None:
        super().__init__(
            data=_mutable(data) if data is not None else None,
            files=_mutable(files) if files is not None else None,
        )
        self.definition = definition
        self.step = step
        self.answers: Mapping[str, Any] = answers or {}
        self.today = today or today_local()
        self.channel = channel
        self.max_upload_bytes = max_upload_bytes or settings.ATTACHMENT_MAX_BYTES
        # Answers from the other steps, with hidden branches removed: what conditions see.
        step_keys = {f.key for f in step.fields}
        self.context = {
            k: v for k, v in prune_hidden(definition, self.answers).items() if k not in step_keys
        }
        self.values: dict[str, Any] = {}
        self.path_errors: Errors = {}
        self.action_handled = False
        self.action_message = ""
        self.postal_messages: dict[str, str] = {}
        self._pending: dict[str, UploadedFile] = {}
        # What was posted, in the answers' shapes (uploads as PendingUpload), and where a new
        # upload failed its checks: `raw_answers()` builds what a draft keeps from them.
        self._raw_values: dict[str, Any] = {}
        self._upload_failed: set[str] = set()
        # Errors of answers saved earlier, shown when the step is opened again (unbound).
        self.saved_errors_shown = False

    # -- Which fields are on the page --

    def _scope_keys(self) -> set[str]:
        return {f.key for f in self.step.fields}

    def _depends_on_page(self, condition: Condition | None, local: set[str]) -> bool:
        return condition is not None and bool(condition.referenced_keys() & local)

    def _rendered(self, f: Field, local: set[str]) -> bool:
        """A field hidden by answers of other steps is not on the page at all."""
        if self.channel not in f.channels:
            return False
        if f.when is None or self._depends_on_page(f.when, local):
            return True
        return evaluate(f.when, self.context)

    # -- Reading the inputs into answers --

    def _raw(self, f: Field, path: str, existing: Any) -> Any:
        return f.kind.read_post(self, f, path, existing)

    def read_upload(self, f: Field, path: str, existing: Any) -> Any:
        """A file field's raw answer: a checked new upload, else the stored reference."""
        upload = self.files.get(html_name(path))
        if upload is None and self.data.get(f"{html_name(path)}__clear"):
            return None  # "remove the attached file" was ticked
        if upload is not None:
            try:
                pending = check_upload(f, upload, max_bytes=self.max_upload_bytes)
            except FieldError as exc:
                return exc
            self._pending[path] = upload
            return pending
        return existing if isinstance(existing, Mapping) and existing else None

    def read_items(self, group: Field, path: str) -> list[dict[str, Any]]:
        """A group's raw answer: one dict per item on the page."""
        return [
            self._raw_item(group, f"{path}.{i}", origin)
            for i, origin in enumerate(self._item_origins(group, path))
        ]

    def _raw_item(self, group: Field, path: str, origin: int | None) -> dict[str, Any]:
        stored = self._stored_item(group, origin)
        return {
            sub.key: self._raw(sub, f"{path}.{sub.key}", stored.get(sub.key))
            for sub in group.fields
            if sub.holds_value
        }

    def _stored_item(self, group: Field, origin: int | None) -> Mapping[str, Any]:
        items = self.answers.get(group.key)
        if origin is None or not isinstance(items, list) or not 0 <= origin < len(items):
            return {}
        item = items[origin]
        return item if isinstance(item, Mapping) else {}

    def _item_origins(self, group: Field, path: str) -> list[int | None]:
        """Which stored item each item on the page came from (None for a new one)."""
        name = html_name(path)
        if self.is_bound and f"{name}__count" in self.data:
            count = _bounded_int(self.data.get(f"{name}__count"), 0, group.max_items) or 0
            return [
                _bounded_int(self.data.get(f"{name}__{i}__origin"), 0, MAX_GROUP_ITEMS - 1)
                for i in range(count)
            ]
        stored = self.answers.get(group.key)
        if isinstance(stored, list) and stored:
            return list(range(min(len(stored), group.max_items)))
        minimum = max(group.min_items, 1 if group.required else 0)
        return [None] * minimum

    def full_clean(self) -> None:
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if not self.is_bound:
            return
        raw: dict[str, Any] = {}
        upload_errors: Errors = {}
        for f in self.step.fields:
            if not f.holds_value:
                continue
            value = self._raw(f, f.key, self.answers.get(f.key))
            if f.kind.repeats:
                value = [
                    self._split_upload_errors(item, f.key, i, upload_errors)
                    for i, item in enumerate(value)
                ]
            elif isinstance(value, FieldError):
                upload_errors[f.key] = value.errors[""]
                value = None
            raw[f.key] = value
        self._upload_failed = set(upload_errors)
        self._raw_values = raw
        result = validate_fields(
            self.step.fields,
            raw,
            context=self.context,
            today=self.today,
            channel=self.channel,
        )
        errors = dict(result.errors)
        for path, messages in upload_errors.items():
            if path.split(".")[0] in result.values:
                errors[path] = messages  # the real problem replaces "please attach"
        self.values = result.values
        self.path_errors = errors
        self.cleaned_data = dict(result.values)
        for path, messages in errors.items():
            self._errors[path] = self.error_class(messages)

    def _split_upload_errors(
        self, item: dict[str, Any], key: str, index: int, errors: Errors
    ) -> dict[str, Any]:
        for sub_key, value in list(item.items()):
            if isinstance(value, FieldError):
                errors[f"{key}.{index}.{sub_key}"] = value.errors[""]
                item[sub_key] = None
        return item

    # -- Results --

    def step_answers(self) -> dict[str, Any]:
        """Normalised answers of this step's fields (call after is_valid()).

        Hidden fields are None, so stale answers of a branch no longer taken are cleared. A
        file field holds its existing attachment reference or None; new uploads are in
        `uploaded_files()`, and the caller puts their references at those paths.
        """
        if not self.is_bound or self.errors:
            raise ValueError("step_answers() needs a valid bound form")
        answers: dict[str, Any] = {}
        for f in self.step.fields:
            if not field_applies(f, self.channel):
                continue
            answers[f.key] = self._answer(f, f.key, self.values.get(f.key))
        return answers

    def _answer(self, f: Field, path: str, value: Any) -> Any:
        return f.kind.step_answer(self, f, path, value)

    def item_answers(self, group: Field, path: str, value: Any) -> Any:
        """A group's answer: each item's sub-field answers (as `step_answers` gives them)."""
        if not isinstance(value, list):
            return value
        return [
            {
                sub.key: self._answer(sub, f"{path}.{i}.{sub.key}", item.get(sub.key))
                for sub in group.fields
                if field_applies(sub, self.channel)
            }
            for i, item in enumerate(value)
        ]

    def existing_reference(self, path: str) -> Any:
        return self._existing_reference(path)

    def existing_file(self, path: str, initial: Any) -> Mapping[str, Any] | None:
        """The attachment a file field already has (shown beside the file input)."""
        if self.is_bound:
            found = self._existing_reference(path)
            return found if isinstance(found, Mapping) else None
        return initial if isinstance(initial, Mapping) and initial else None

    def _existing_reference(self, path: str) -> Any:
        parts = path.split(".")
        if len(parts) == 1:
            existing = self.answers.get(path)
        else:
            group = self.step_field(parts[0])
            origins = self._item_origins(group, parts[0])
            origin = origins[int(parts[1])] if int(parts[1]) < len(origins) else None
            existing = self._stored_item(group, origin).get(parts[2])
        return existing if isinstance(existing, Mapping) and existing else None

    def accepted_uploads(self) -> dict[str, UploadedFile]:
        """New uploads that passed their own checks, whatever the other fields' errors.

        Only those of fields still asked for (not hidden by an answer on the page). The journey
        stores them at once, so a resident whose other answers need fixing need not choose the
        file again (see `raw_answers` and `adopt`).
        """
        if not self.is_bound:
            raise ValueError("accepted_uploads() needs a bound form")
        self.errors  # noqa: B018 — runs full_clean once
        return {
            path: upload for path, upload in self._pending.items() if path in self._kept_paths()
        }

    def raw_answers(self, references: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """What was posted for this step, unvalidated, in the answers' JSON shapes.

        A draft saved with errors keeps it: it is validated again when the step is shown or the
        application is submitted. `references` are the stored uploads by path (from
        `accepted_uploads`); a file field without a new valid upload keeps its earlier file.
        """
        if not self.is_bound:
            raise ValueError("raw_answers() needs a bound form")
        self.errors  # noqa: B018 — runs full_clean once

        def resolve(path: str, value: Any) -> Any:
            if isinstance(value, PendingUpload) or path in self._upload_failed:
                return references.get(path) or self._existing_reference(path)
            return value

        answers: dict[str, Any] = {}
        for f in self.step.fields:
            if not field_applies(f, self.channel) or f.key not in self._raw_values:
                continue
            value = self._raw_values[f.key]
            if f.kind.repeats and isinstance(value, list):
                value = [
                    {sub: resolve(f"{f.key}.{i}.{sub}", v) for sub, v in item.items()}
                    for i, item in enumerate(value)
                ]
            else:
                value = resolve(f.key, value)
            answers[f.key] = _json_safe(value)
        return answers

    def adopt(self, answers: Mapping[str, Any]) -> None:
        """Carry on from `answers`, which now hold this step's `raw_answers()` as posted.

        The posted group items now sit in the stored answers in page order, and the uploads are
        stored: the form reads and shows them from there (no file needs choosing again).
        """
        self.answers = answers
        for f in self.step.fields:
            name = html_name(f.key)
            if f.kind.repeats and f"{name}__count" in self.data:
                count = _bounded_int(self.data.get(f"{name}__count"), 0, f.max_items) or 0
                for i in range(count):
                    self.data[f"{name}__{i}__origin"] = str(i)
        self.files = MultiValueDict()
        self._pending = {}

    def revalidate_saved(self) -> None:
        """Show the errors of this step's answers as saved (a step saved unfinished)."""
        if self.is_bound:
            raise ValueError("revalidate_saved() is for a form showing stored answers")
        raw = {f.key: self.answers.get(f.key) for f in self.step.fields if f.holds_value}
        result = validate_fields(
            self.step.fields, raw, context=self.context, today=self.today, channel=self.channel
        )
        self.path_errors = result.errors
        self.saved_errors_shown = bool(result.errors)

    def uploaded_files(self) -> dict[str, UploadedFile]:
        """New, validated uploads keyed by field path ("id_document", "children.0.certificate")."""
        if not self.is_bound or self.errors:
            raise ValueError("uploaded_files() needs a valid bound form")
        return {
            path: upload for path, upload in self._pending.items() if path in self._kept_paths()
        }

    def _kept_paths(self) -> set[str]:
        paths = set()
        for f in self.step.fields:
            value = self.values.get(f.key)
            if isinstance(value, PendingUpload):
                paths.add(f.key)
            if f.kind.repeats and isinstance(value, list):
                for i, item in enumerate(value):
                    for sub_key, sub_value in item.items():
                        if isinstance(sub_value, PendingUpload):
                            paths.add(f"{f.key}.{i}.{sub_key}")
        return paths

    def step_field(self, key: str) -> Field:
        for f in self.step.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    # -- Actions without JavaScript --

    def handle_action(self, action: str) -> bool:
        """Apply an ``_action`` button; True if the form changed and should be shown again.

        ``add:<group>`` adds an item, ``remove:<group>:<index>`` removes one (later items move
        up, keeping their stored attachments), ``postal:<path>`` fills the address named by the
        postal-code field's ``fills`` from the offline postal data. Errors are not shown after
        an action. The journey stores files chosen before the button was pressed (see
        `accepted_uploads`), so they need not be chosen again.
        """
        if not self.is_bound or not action:
            return False
        verb, _sep, rest = action.partition(":")
        handled = False
        if verb == "add":
            handled = self._add_item(rest)
        elif verb == "remove":
            group_key, _sep, index = rest.rpartition(":")
            handled = self._remove_item(group_key, index)
        elif verb == "postal":
            handled = self._postal_fill(rest)
        if handled:
            self.action_handled = True
            self._errors = ErrorDict()
            self.path_errors = {}
        return handled

    def _group(self, key: str) -> Field | None:
        try:
            f = self.step_field(key)
        except KeyError:
            return None
        return f if f.kind.repeats else None

    def _add_item(self, key: str) -> bool:
        group = self._group(key)
        if group is None:
            return False
        count = len(self._item_origins(group, key))
        if count >= group.max_items:
            self.action_message = str(
                _("%(label)sは%(max)d件まで入力できます。")
                % {"label": group.label, "max": group.max_items}
            )
            return True
        self.data[f"{key}__count"] = str(count + 1)
        self.data.pop(f"{key}__{count}__origin", None)
        self.action_message = str(
            _("%(item)sの入力欄を追加しました。") % {"item": item_title(group, count)}
        )
        return True

    def _remove_item(self, key: str, index_text: str) -> bool:
        group = self._group(key)
        if group is None or not index_text.isdigit():
            return False
        count = len(self._item_origins(group, key))
        index = int(index_text)
        if not 0 <= index < count:
            return False
        for store in (self.data, self.files):
            _shift_items(store, key, index, count)
        self.data[f"{key}__count"] = str(count - 1)
        self.action_message = str(
            _("%(item)sを削除しました。") % {"item": item_title(group, index)}
        )
        return True

    def _postal_fill(self, path: str) -> bool:
        postal = self._field_at(path)
        if postal is None or not postal.fills:
            return False
        name = html_name(path)
        typed = str(self.data.get(name, ""))
        try:
            code = normalize_postal_code(typed)
        except ValidationError:
            self.postal_messages[path] = str(
                _("郵便番号は「123-4567」のように7桁の数字で入力してください。")
            )
            return True
        self.data[name] = format_postal_code(code)
        candidates = lookup_postal_code(code)
        if not candidates:
            self.postal_messages[path] = str(
                _("この郵便番号の住所が見つかりませんでした。住所を入力してください。")
            )
            return True
        target = html_name(
            path.rpartition(".")[0] + "." + postal.fills if "." in path else postal.fills
        )
        first = candidates[0]
        self.data[f"{target}__prefecture"] = first.prefecture
        self.data[f"{target}__city"] = first.city
        towns = sorted({c.town for c in candidates if c.city == first.city})
        if len(towns) == 1:
            self.data[f"{target}__street"] = towns[0] + first.street
            self.postal_messages[path] = str(
                _("住所を入力しました。続けて番地を入力してください。")
            )
        else:
            self.data[f"{target}__street"] = ""
            self.postal_messages[path] = str(
                _(
                    "この郵便番号には複数の町域があります（%(towns)s）。町名と番地を入力してください。"
                )
                % {"towns": "、".join(t for t in towns if t)}
            )
        return True

    def _field_at(self, path: str) -> Field | None:
        parts = path.split(".")
        try:
            top = self.step_field(parts[0])
        except KeyError:
            return None
        if len(parts) == 1:
            return top
        if len(parts) == 3 and top.kind.repeats and parts[1].isdigit():
            return top.subfield(parts[2])
        return None

    # -- Rendering --

    @property
    def show_errors(self) -> bool:
        if not self.is_bound:
            return self.saved_errors_shown
        return not self.action_handled and bool(self.errors)

    def field_views(self) -> list[FieldView]:
        # Fields on this page so far: a condition on one of them is evaluated in the browser
        # (form.js) and again on submit; any other condition is decided now.
        local: set[str] = set()
        errors = self.path_errors if self.show_errors else {}
        views = []
        for f in self.step.fields:
            if not self._rendered(f, local):
                continue
            views.append(
                self._view(f, f.key, self.answers.get(f.key), set(local), errors, item_scope={})
            )
            local.add(f.key)
        return views

    def error_summary(self) -> list[SummaryError]:
        if not self.show_errors:
            return []
        summary: list[SummaryError] = []
        for view in self.field_views():
            summary.extend(_summary_entries(view))
        return summary

    def _view(
        self,
        f: Field,
        path: str,
        initial: Any,
        local: set[str],
        errors: Errors,
        *,
        item_scope: Mapping[str, str],
        item_title_text: str = "",
    ) -> FieldView:
        name = html_name(path)
        own = [m for p, ms in errors.items() if p == path for m in ms]
        view = FieldView(
            field=f,
            path=path,
            id=html_id(path),
            label=f.label,
            help=f.help,
            required=f.required,
            errors=own,
            inputs=[],
            template=f"procedures/formdef/fields/{f.kind.template}.html",
            fieldset=f.kind.fieldset,
            name=name,
            unit=f.unit,
            example=str(f.kind.example),
            multiple=f.kind.multiple,
        )
        if f.when is not None and self._depends_on_page(f.when, local):
            view.condition = json.dumps(self._js_condition(f.when, item_scope), ensure_ascii=False)
            view.condition_hint = condition_hint(f.when, self.definition, self.step, item_scope)
        elif self._depends_on_page(f.required_when, local):
            view.condition_hint = condition_hint(
                f.required_when, self.definition, self.step, item_scope
            )
        value = self._display_value(f, name, initial)
        autocomplete = f.autocomplete or _ROLE_AUTOCOMPLETE.get(f.role, "") or f.kind.autocomplete
        # What a repeating group renders from: its stored items and the fields on the page.
        self._item_render = (initial, local)
        f.kind.render(self, view, f, path, value, errors, autocomplete)
        for input_view in view.inputs:
            ids = [view.describedby] if view.describedby else []
            if f.kind.compound:
                if input_view.errors:
                    ids.append(input_view.error_id)
            else:
                input_view.errors = own
            input_view.describedby = " ".join(ids)
        return view

    def attach_postal_lookup(self, view: FieldView, f: Field, path: str) -> None:
        """The postal-code button: which address inputs it fills, and its last message."""
        view.postal_action = f"postal:{path}"
        target_path = path.rpartition(".")[0] + "." + f.fills if "." in path else f.fills
        view.postal_targets = html_id(target_path)
        view.postal_message = self.postal_messages.get(path, "")

    def render_items(self, view: FieldView, f: Field, path: str, errors: Errors) -> None:
        initial, local = self._item_render
        self._group_view(view, f, path, initial, local, errors)

    def _group_view(
        self, view: FieldView, f: Field, path: str, initial: Any, local: set[str], errors: Errors
    ) -> None:
        name = html_name(path)
        origins = self._item_origins(f, path)
        stored = initial if isinstance(initial, list) else []
        view.count_name = f"{name}__count"
        view.count = len(origins)
        view.add_action = f"add:{path}"
        view.add_label = f.add_label or str(_("%(label)sを追加する") % {"label": f.label})
        view.can_add = len(origins) < f.max_items
        for i, origin in enumerate(origins):
            item_local = set(local)
            item_path = f"{path}.{i}"
            item_stored = stored[origin] if origin is not None and origin < len(stored) else {}
            if not isinstance(item_stored, Mapping):
                item_stored = {}
            scope = {sub.key: html_name(f"{item_path}.{sub.key}") for sub in f.fields}
            sub_views = []
            lookup = self.context
            for sub in f.fields:
                if self.channel not in sub.channels:
                    continue
                if (
                    sub.when is not None
                    and not self._depends_on_page(sub.when, item_local)
                    and not evaluate(sub.when, lookup)
                ):
                    continue
                sub_views.append(
                    self._view(
                        sub,
                        f"{item_path}.{sub.key}",
                        item_stored.get(sub.key),
                        set(item_local),
                        errors,
                        item_scope=scope,
                    )
                )
                item_local.add(sub.key)
            view.items.append(
                ItemView(
                    index=i,
                    number=i + 1,
                    title=item_title(f, i),
                    id=html_id(item_path),
                    origin_name=f"{html_name(item_path)}__origin",
                    origin="" if origin is None else str(origin),
                    fields=sub_views,
                    remove_action=f"remove:{path}:{i}",
                    can_remove=len(origins) > f.min_items,
                )
            )

    def _display_value(self, f: Field, name: str, initial: Any) -> Any:
        """What the inputs show: the posted text when bound, else the stored answer."""
        if self.is_bound:
            return f.kind.posted_display(self, f, name)
        return f.kind.initial_display(f, initial)

    def _js_condition(self, condition: Condition, item_scope: Mapping[str, str]) -> dict[str, Any]:
        """The condition for form.js: inputs on this page by name, other answers as constants."""
        if condition.op in ("all", "any"):
            return {condition.op: [self._js_condition(c, item_scope) for c in condition.conditions]}
        key = condition.field
        value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
        if key in item_scope:
            return {"input": item_scope[key], "op": condition.op, "value": value}
        if key in self._scope_keys():
            return {"input": html_name(key), "op": condition.op, "value": value}
        return {"const": self.context.get(key), "op": condition.op, "value": value}


def condition_hint(
    condition: Condition | None,
    definition: FormDefinition,
    step: Step,
    item_scope: Mapping[str, str],
) -> str:
    """A sentence for readers without JavaScript saying when the field applies."""
    if condition is None:
        return ""
    if condition.op in ("equals", "in"):
        controller = _find_field(condition.field, definition, step)
        if controller is not None:
            values = condition.value if condition.op == "in" else (condition.value,)
            hint = controller.kind.condition_hint(controller, tuple(values))
            if hint:
                return hint
    return str(_("前の質問の答えによっては、入力は不要です。"))


def _find_field(key: str, definition: FormDefinition, step: Step) -> Field | None:
    for f in step.fields:
        if f.key == key:
            return f
        if f.subfield(key) is not None:
            return f.subfield(key)
    try:
        return definition.field(key)
    except KeyError:
        return None


def _summary_entries(view: FieldView, prefix: str = "") -> list[SummaryError]:
    entries: list[SummaryError] = []
    label = f"{prefix}{view.label}"

    def entry(message: str, target: str) -> SummaryError:
        if view.label in message and not prefix:
            return SummaryError(message, target)
        return SummaryError(
            str(_("%(label)s：%(message)s") % {"label": label, "message": message}), target
        )

    first_target = (
        view.inputs[0].id if view.inputs else (view.choices[0].id if view.choices else view.id)
    )
    for message in view.errors:
        entries.append(entry(message, first_target))
    if view.field.kind.compound:
        for input_view in view.inputs:
            for message in input_view.errors:
                entries.append(entry(message, input_view.id))
    for item in view.items:
        for sub in item.fields:
            entries.extend(_summary_entries(sub, prefix=f"{item.title}　"))
    return entries


# More ticked options than any form offers is not an answer worth keeping.
RAW_LIST_LIMIT = 200


def _json_safe(value: Any) -> Any:
    """A raw answer as a JSON document may hold it: text bounded, no NUL (PostgreSQL refuses it)."""
    if isinstance(value, str):
        return value.replace("\x00", "")[: RAW_TEXT_LIMIT + 1]
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value[:RAW_LIST_LIMIT]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return None


def _bounded_int(text: Any, low: int, high: int) -> int | None:
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 4:
        return None
    value = int(text)
    return min(max(value, low), high)


def _mutable(data: Mapping[str, Any]) -> MultiValueDict[str, Any]:
    if isinstance(data, MultiValueDict):
        return data.copy()
    return MultiValueDict(
        {k: (list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in data.items()}
    )


def _shift_items(store: MultiValueDict[str, Any], key: str, removed: int, count: int) -> None:
    """Drop item `removed` of a group from posted data and move later items up by one."""
    for i in range(removed, count):
        old_prefix = f"{key}__{i + 1}__"
        new_prefix = f"{key}__{i}__"
        for name in [n for n in store if n.startswith(new_prefix)]:
            del store[name]
        for name in [n for n in store if n.startswith(old_prefix)]:
            store.setlist(new_prefix + name[len(old_prefix) :], store.getlist(name))
            del store[name]


def build_step_form(
    definition: FormDefinition,
    step_key: str,
    *,
    data: Mapping[str, Any] | None = None,
    files: Mapping[str, Any] | None = None,
    answers: Mapping[str, Any] | None = None,
    today: date | None = None,
    channel: str = "online",
) -> StepForm:
    """The form for one step, bound to POST data and files when given.

    `answers` are the stored answers so far: they give the initial values, satisfy file fields
    already attached and drive conditions on fields of other steps.
    """
    return StepForm(
        definition,
        definition.step(step_key),
        data=data,
        files=files,
        answers=answers,
        today=today,
        channel=channel,
    )
