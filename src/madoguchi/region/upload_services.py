"""One way the prefecture console stores a file a user sends (survey evidence, liaison files)."""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from madoguchi.core.uploads import DEFAULT_ALLOWED, display_filename, validate_attachment

from .models.files import StoredFile

M = TypeVar("M", bound=StoredFile)


def store_checked_file(model: type[M], uploaded: UploadedFile, **fields: Any) -> M:
    """Check `uploaded` like residents' attachments and store it as a new `model` row, the file in
    the private store under an opaque name (the row's id); the file goes again if the row fails."""
    sniffed = validate_attachment(
        uploaded, allowed=DEFAULT_ALLOWED, max_bytes=settings.ATTACHMENT_MAX_BYTES
    )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    stored = model(
        original_name=display_filename(uploaded.name) or f"file.{sniffed.extension}",
        content_type=sniffed.mime,
        size=uploaded.size or 0,
        sha256=digest.hexdigest(),
        **fields,
    )
    stored.file.save(str(stored.pk), uploaded, save=False)
    try:
        stored.save()
    except BaseException:
        stored.file.delete(save=False)
        raise
    return stored
