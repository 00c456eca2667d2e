"""JSON manifests (`manifest.json`)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from .base import Manifest, ManifestError

MAX_DEPTH = 20


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


class JsonManifestParser:
    suffix = ".json"

    def parse(self, data: bytes) -> Manifest:
        try:
            obj = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ManifestError(_("マニフェストの文字コードが UTF-8 ではありません。")) from None
        except (json.JSONDecodeError, RecursionError) as exc:
            line = getattr(exc, "lineno", 0)
            raise ManifestError(
                _("マニフェスト（JSON）の形式が正しくありません（%(line)s行目付近）。")
                % {"line": line}
            ) from None
        if not isinstance(obj, dict):
            raise ManifestError(_("マニフェスト（JSON）の最上位はオブジェクトにしてください。"))
        if _depth(obj) > MAX_DEPTH:
            raise ManifestError(_("マニフェストの入れ子が深すぎます。"))
        applicant = obj.get("applicant")
        return Manifest(
            format_version=obj.get("format_version", 1),
            receipt_number=obj.get("receipt_number"),
            procedure=obj.get("procedure"),
            form_version=obj.get("form_version"),
            submitted_at=obj.get("submitted_at"),
            applicant=applicant if isinstance(applicant, dict) else {},
            certificate_serial=obj.get("certificate_serial"),
            form_data=obj.get("form_data"),
        )
