"""What every file the prefecture console stores has in common (survey evidence, liaison files).

`region/upload_services.store_checked_file` fills these columns; each subclass adds the row it
belongs to and its own `file` field, whose opaque path names the part of the console it serves.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import TenantOwned


class StoredFile(TenantOwned):
    """A file a user sent, checked like residents' attachments, kept in the private store under
    its row's id; the name it was sent under lives in the row only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    original_name = models.CharField(_("ファイル名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    # Declared by each subclass (the upload path differs): `models.FileField(upload_to=…)`.
    file: FieldFile

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return str(self.id)
