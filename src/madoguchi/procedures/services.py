"""Writes to the procedure catalogue: import, new form versions, the standard library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality

from .formdef import DefinitionError, parse_definition
from .library import load_library, load_life_events
from .models import FormVersion, LifeEvent, LifeEventProcedure, Procedure

# Attributes of an import file besides "form" (the definition), with their model fields.
_TEXT_ATTRIBUTES = (
    "standard_code",
    "name",
    "name_en",
    "category",
    "summary",
    "summary_en",
    "summary_easy",
    "description",
    "description_en",
    "description_easy",
    "eligibility",
    "eligibility_en",
    "eligibility_easy",
    "fees",
    "fees_en",
    "department",
    "department_en",
)
_LIST_ATTRIBUTES = ("what_to_bring", "what_to_bring_en", "what_to_bring_easy")
_LINE_ATTRIBUTES = (*_LIST_ATTRIBUTES, "search_keywords")
_BOOL_ATTRIBUTES = ("online", "counter_preinput", "booking", "is_published")
_INT_ATTRIBUTES = ("standard_processing_days", "sort_order")
IMPORT_ATTRIBUTES = frozenset(
    {
        "slug",
        "form",
        *_TEXT_ATTRIBUTES,
        *_LINE_ATTRIBUTES,
        *_BOOL_ATTRIBUTES,
        *_INT_ATTRIBUTES,
    }
)


def definition_validate(definition: Any) -> None:
    """Raise a ValidationError (Japanese, naming the place) if the definition cannot be used."""
    try:
        parse_definition(definition)
    except DefinitionError as exc:
        raise ValidationError(
            _("様式定義に誤りがあります。場所：%(path)s　内容：%(detail)s"),
            code="invalid_definition",
            params={"path": exc.path or "（全体）", "detail": exc.message},
        ) from None


@transaction.atomic
def form_version_create(
    *,
    procedure: Procedure,
    definition: dict[str, Any],
    created_by: StaffUser | None = None,
) -> FormVersion:
    """Add the next version of a procedure's form. Earlier versions are never changed."""
    definition_validate(definition)
    # Lock the procedure row so two editors cannot both take the same number.
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    last = procedure.form_versions.aggregate(n=Max("number"))["n"] or 0
    version = FormVersion(
        procedure=procedure, number=last + 1, definition=definition, created_by=created_by
    )
    version.full_clean()
    version.save()
    return version


def _import_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - IMPORT_ATTRIBUTES)
    if unknown:
        raise ValidationError(
            _("手続データに不明な項目があります：%(names)s"),
            code="unknown_attribute",
            params={"names": "、".join(unknown)},
        )
    values: dict[str, Any] = {}
    for name in _TEXT_ATTRIBUTES:
        if name in data:
            if not isinstance(data[name], str):
                raise _type_error(name, _("文字列"))
            values[name] = data[name]
    for name in _LINE_ATTRIBUTES:
        if name in data:
            value = data[name]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = ("\n" if name in _LIST_ATTRIBUTES else " ").join(value)
            if not isinstance(value, str):
                raise _type_error(name, _("文字列または文字列のリスト"))
            values[name] = value
    for name in _BOOL_ATTRIBUTES:
        if name in data:
            if not isinstance(data[name], bool):
                raise _type_error(name, _("true または false"))
            values[name] = data[name]
    for name in _INT_ATTRIBUTES:
        if name in data:
            value = data[name]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise _type_error(name, _("整数"))
            values[name] = value
    return values


def _type_error(name: str, expected: Any) -> ValidationError:
    return ValidationError(
        _("手続データの「%(name)s」は%(expected)sで指定してください。"),
        code="invalid_type",
        params={"name": name, "expected": expected},
    )


def _full_clean(procedure: Procedure) -> None:
    """Model validation, with each message naming the attribute it is about."""
    try:
        procedure.full_clean()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        messages: list[str] = []
        for name, errors in exc.message_dict.items():
            label = name
            if name != "__all__":
                verbose = getattr(Procedure._meta.get_field(name), "verbose_name", name)
                label = f"{verbose}（{name}）"
            messages.extend(f"{label}：{message}" for message in errors)
        raise ValidationError(messages, code="invalid") from None


def procedure_data_validate(data: Any) -> None:
    """Check a procedure in the import format without writing anything (ValidationError)."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("手続データの形式が正しくありません。"), code="invalid")
    slug = data.get("slug")
    if not isinstance(slug, str) or not slug:
        raise ValidationError(_("手続データに「slug」がありません。"), code="missing_slug")
    _import_fields(data)
    if data.get("form") is not None:
        definition_validate(data["form"])


@transaction.atomic
def procedure_close(*, procedure: Procedure) -> Procedure:
    """Stop offering a procedure to residents (unpublished: no new applications or drafts).
    Its form versions and the applications made with them stay as they are."""
    if procedure.is_published:
        procedure.is_published = False
        procedure.save(update_fields=["is_published", "updated_at"])
    return procedure


def procedure_import(
    *,
    municipality: Municipality,
    data: Mapping[str, Any],
    created_by: StaffUser | None = None,
) -> Procedure:
    """Create or update a procedure by slug; add a form version only if the form changed.

    All or nothing: on bad input a ValidationError with a Japanese message is raised and
    nothing is changed.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(_("手続データの形式が正しくありません。"), code="invalid")
    slug = data.get("slug")
    if not isinstance(slug, str) or not slug:
        raise ValidationError(_("手続データに「slug」がありません。"), code="missing_slug")
    values = _import_fields(data)
    definition = data.get("form")
    if definition is not None:
        definition_validate(definition)
    procedure = (
        Procedure.objects.select_for_update().filter(municipality=municipality, slug=slug).first()
    )
    if procedure is None:
        procedure = Procedure(municipality=municipality, slug=slug)
    for name, value in values.items():
        setattr(procedure, name, value)
    has_form = procedure.pk is not None and procedure.current_version is not None
    if procedure.online and definition is None and not has_form:
        raise ValidationError(
            _("オンライン申請を受け付ける手続には様式定義（form）が必要です。"),
            code="missing_form",
        )
    _full_clean(procedure)
    procedure.save()
    if definition is not None:
        current = procedure.current_version
        if current is None or current.definition != definition:
            form_version_create(
                procedure=procedure, definition=dict(definition), created_by=created_by
            )
    return procedure


@transaction.atomic
def library_install(
    *, municipality: Municipality, publish: bool = True, created_by: StaffUser | None = None
) -> list[Procedure]:
    """Import every procedure of the standard library.

    Re-running changes nothing unless the library changed; then descriptions are updated and
    a changed form becomes a new version. Whether a procedure is published is set only when
    it is first installed.
    """
    installed = []
    existing = set(Procedure.objects.for_municipality(municipality).values_list("slug", flat=True))
    for entry in load_library():
        data = dict(entry)
        if data.get("slug") in existing:
            data.pop("is_published", None)
        else:
            data.setdefault("is_published", publish)
        installed.append(
            procedure_import(municipality=municipality, data=data, created_by=created_by)
        )
    return installed


@transaction.atomic
def life_events_install(*, municipality: Municipality) -> list[LifeEvent]:
    """Create or update the standard life events and link each to the municipality's
    procedures of the listed slugs (procedures it does not have are skipped). Re-running
    changes nothing unless the list changed; the order of the list is the display order."""
    events = []
    procedures = {p.slug: p for p in Procedure.objects.for_municipality(municipality)}
    for order, entry in enumerate(load_life_events(), start=1):
        event = LifeEvent.objects.for_municipality(municipality).filter(slug=entry["slug"]).first()
        if event is None:
            event = LifeEvent(municipality=municipality, slug=entry["slug"])
        event.name = entry["name"]
        event.name_en = entry.get("name_en", "")
        event.description = entry.get("description", "")
        event.description_en = entry.get("description_en", "")
        event.description_easy = entry.get("description_easy", "")
        event.search_keywords = " ".join(entry.get("search_keywords", []))
        event.sort_order = order * 10
        event.full_clean()
        event.save()
        LifeEventProcedure.objects.filter(life_event=event).delete()
        LifeEventProcedure.objects.bulk_create(
            LifeEventProcedure(life_event=event, procedure=procedures[slug], position=position)
            for position, slug in enumerate(entry["procedures"])
            if slug in procedures
        )
        events.append(event)
    return events
