"""JSON manifests (`manifest.json`)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from .base import Manifest, ManifestError, refuse_unstorable_text

MAX_DEPTH = 20


def _refuse_constant(name: str) -> Any:
    raise ManifestError(
        _("マニフェスト（JSON）に数値として使えない値（%(name)s）があります。") % {"name": name}
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        _refuse_constant(text[:30])
    return value


def _too_deep(obj: dict[str, Any] | list[Any]) -> bool:
    """True if containers nest more than MAX_DEPTH levels (a value inside counts as a level)."""
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        value, level = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if level + (1 if children else 0) > MAX_DEPTH:
            return True
        stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list)))
    return False


class JsonManifestParser:
    suffix = ".json"

    def parse(self, data: bytes) -> Manifest:
        try:
            obj = json.loads(
                data.decode("utf-8-sig"),
                parse_constant=_refuse_constant,
                parse_float=_finite_float,
            )
        except UnicodeDecodeError:
            raise ManifestError(_("マニフェストの文字コードが UTF-8 ではありません。")) from None
        except (ValueError, RecursionError) as exc:
            # JSONDecodeError, and an integer literal longer than Python converts (ValueError).
            line = getattr(exc, "lineno", 0)
            raise ManifestError(
                _("マニフェスト（JSON）の形式が正しくありません（%(line)s行目付近）。")
                % {"line": line}
            ) from None
        if not isinstance(obj, dict):
            raise ManifestError(_("マニフェスト（JSON）の最上位はオブジェクトにしてください。"))
        if _too_deep(obj):
            raise ManifestError(_("マニフェストの入れ子が深すぎます。"))
        applicant = obj.get("applicant")
        return refuse_unstorable_text(
            Manifest(
                format_version=obj.get("format_version", 1),
                receipt_number=obj.get("receipt_number"),
                procedure=obj.get("procedure"),
                form_version=obj.get("form_version"),
                submitted_at=obj.get("submitted_at"),
                applicant=applicant if isinstance(applicant, dict) else {},
                certificate_serial=obj.get("certificate_serial"),
                form_data=obj.get("form_data"),
            )
        )
