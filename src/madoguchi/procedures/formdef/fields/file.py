"""`file`: an attachment, checked by its real content type; the answer is a reference."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core import uploads

from ..parsing import DefinitionError, as_list, read_int
from .base import FieldError, FieldType, ParseContext, PendingUpload, messages_of, register

if TYPE_CHECKING:
    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView

# File kinds a definition may accept; sniffed from the content, not the file name.
FILE_KINDS = frozenset({"pdf", "jpeg", "png", "heic", "gif", "webp"})
FILE_KIND_MIMES: dict[str, frozenset[str]] = {
    "pdf": frozenset({uploads.PDF}),
    "jpeg": frozenset({uploads.JPEG}),
    "png": frozenset({uploads.PNG}),
    "heic": frozenset({uploads.HEIC, uploads.HEIF}),
    "gif": frozenset({"image/gif"}),
    "webp": frozenset({uploads.WEBP}),
}
FILE_KIND_LABELS = {
    "pdf": "PDF",
    "jpeg": "JPEG",
    "png": "PNG",
    "heic": "HEIC",
    "gif": "GIF",
    "webp": "WebP",
}
_ACCEPT_ATTRIBUTE = {
    "pdf": ".pdf,application/pdf",
    "jpeg": ".jpg,.jpeg,image/jpeg",
    "png": ".png,image/png",
    "heic": ".heic,.heif,image/heic,image/heif",
    "gif": ".gif,image/gif",
    "webp": ".webp,image/webp",
}
ATTACHMENT_KEYS = ("attachment", "name", "size", "content_type")
_ATTACHMENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def accepted_mimes(field: Field) -> frozenset[str]:
    return frozenset().union(*(FILE_KIND_MIMES[kind] for kind in field.accept))


def accepted_labels(field: Field) -> str:
    return "・".join(FILE_KIND_LABELS[kind] for kind in field.accept)


def check_upload(field: Field, uploaded: Any, *, max_bytes: int) -> PendingUpload:
    """Validate a new upload (real type sniffed from the content, size) for a file field."""
    try:
        sniffed = uploads.validate_attachment(
            uploaded, allowed=accepted_mimes(field), max_bytes=field.max_bytes or max_bytes
        )
    except ValidationError as exc:
        raise FieldError({"": messages_of(exc)}) from None
    return PendingUpload(
        name=uploads.display_filename(uploaded.name),
        size=int(uploaded.size or 0),
        content_type=sniffed.mime,
    )


@register
class FileType(FieldType):
    name = "file"
    # At the counter the resident shows the document and staff record that they checked it:
    # nothing is uploaded there unless a field asks for it on the "counter" channel.
    channels_not_by_default = frozenset({"counter"})
    attributes = frozenset({"accept", "max_bytes"})
    travels_in_preinput = False
    template = "file"
    uploads = True

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        accept = tuple(as_list(field_data.get("accept", ["pdf", "jpeg", "png"]), f"{path}.accept"))
        for kind in accept:
            if kind not in FILE_KINDS:
                raise DefinitionError(
                    f"{path}.accept",
                    f"unknown file kind {kind!r}; use {', '.join(sorted(FILE_KINDS))}",
                )
        if not accept:
            raise DefinitionError(f"{path}.accept", "accept at least one file kind")
        attrs["accept"] = accept
        attrs["max_bytes"] = read_int(field_data, "max_bytes", path, minimum=1)

    def is_empty(self, field: Field, raw: Any) -> bool:
        return raw is None or (isinstance(raw, Mapping) and not raw)

    def required_message(self, field: Field) -> str:
        return str(_("%(label)sのファイルを添付してください。") % {"label": field.label})

    def clean(self, field: Field, raw: Any, *, today: date) -> dict[str, Any] | PendingUpload:
        """A reference to a stored attachment (or, in a step form, a new upload)."""
        if isinstance(raw, PendingUpload):
            return raw
        bad = FieldError.single(
            _("%(label)sの添付ファイルが確認できません。もう一度ファイルを添付してください。")
            % {"label": field.label}
        )
        if not isinstance(raw, Mapping):
            raise bad
        attachment, name, size, content_type = (raw.get(k) for k in ATTACHMENT_KEYS)
        if not (
            isinstance(attachment, str)
            and _ATTACHMENT_ID.fullmatch(attachment)
            and isinstance(name, str)
            and isinstance(size, int)
            and not isinstance(size, bool)
            and size >= 0
            and isinstance(content_type, str)
        ):
            raise bad
        if content_type not in accepted_mimes(field):
            raise FieldError.single(
                _("%(label)sに添付できるのは%(allowed)sのファイルです。")
                % {"label": field.label, "allowed": accepted_labels(field)}
            )
        return {
            "attachment": attachment,
            "name": uploads.display_filename(name),
            "size": size,
            "content_type": content_type,
        }

    def read_post(self, form: StepForm, field: Field, path: str, existing: Any) -> Any:
        return form.read_upload(field, path, existing)

    def render(
        self,
        form: StepForm,
        view: FieldView,
        field: Field,
        path: str,
        value: Any,
        errors: dict[str, list[str]],
        autocomplete: str,
    ) -> None:
        from ..views import InputView

        view.existing_file = form.existing_file(path, value)
        view.accept_labels = accepted_labels(field)
        view.inputs.append(
            InputView(
                name=view.name,
                id=view.id,
                label=field.label,
                kind="file",
                accept=",".join(_ACCEPT_ATTRIBUTE[k] for k in field.accept),
            )
        )

    def step_answer(self, form: StepForm, field: Field, path: str, value: Any) -> Any:
        # A new upload is stored by the caller, which puts its reference at this path.
        return form.existing_reference(path) if isinstance(value, PendingUpload) else value

    def show(self, field: Field, value: Any) -> str:
        if isinstance(value, Mapping):
            return str(value.get("name") or _("添付ファイル"))
        return str(value)

    def cell(self, field: Field, value: Any) -> str:
        if isinstance(value, Mapping):
            return str(value.get("name") or "")
        return super().cell(field, value)
