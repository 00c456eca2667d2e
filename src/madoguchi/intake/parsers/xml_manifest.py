"""XML manifests (`manifest.xml`), read with defusedxml: no DTD, so no entity bombs and no
external entities.

Form data is a tree of ``<field key="…">``: text for a value, nested ``<field>`` for an object,
``<item>`` children for a list (``type="list"`` for an empty one), and ``file="path"`` for an
attachment.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

from .base import Manifest, ManifestError, refuse_unstorable_text

MAX_DEPTH = 20


def _text(element: Element | None) -> str | None:
    if element is None:
        return None
    return (element.text or "").strip()


def _value(element: Element, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise ManifestError(_("マニフェストの入れ子が深すぎます。"))
    if "file" in element.attrib:
        return {"file": element.attrib["file"]}
    fields = [child for child in element if child.tag == "field"]
    items = [child for child in element if child.tag == "item"]
    if fields:
        return _object(element, depth + 1)
    if items or element.attrib.get("type") == "list":
        return [_value(item, depth + 1) for item in items]
    return element.text or ""


def _object(element: Element, depth: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for child in element:
        if child.tag != "field":
            continue
        key = child.attrib.get("key", "")
        if not key:
            raise ManifestError(_("form_data の field に key 属性がありません。"))
        result[key] = _value(child, depth)
    return result


class XmlManifestParser:
    suffix = ".xml"

    def parse(self, data: bytes) -> Manifest:
        try:
            root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException:
            raise ManifestError(
                _(
                    "マニフェスト（XML）に DTD または実体宣言が含まれています。"
                    "安全のため受け付けません（実体の展開による攻撃を防ぐため）。"
                )
            ) from None
        except ParseError as exc:
            line = exc.position[0] if getattr(exc, "position", None) else 0
            raise ManifestError(
                _("マニフェスト（XML）の形式が正しくありません（%(line)s行目付近）。")
                % {"line": line}
            ) from None
        if root.tag != "application":
            raise ManifestError(_("マニフェスト（XML）の最上位要素は application にしてください。"))
        applicant_el = root.find("applicant")
        applicant: dict[str, Any] = {}
        if applicant_el is not None:
            for key in ("name", "kana", "birth_date", "address"):
                value = _text(applicant_el.find(key))
                if value is not None:
                    applicant[key] = value
        form_el = root.find("form_data")
        form_version = _text(root.find("form_version"))
        return refuse_unstorable_text(
            Manifest(
                format_version=root.attrib.get("format_version", "1"),
                receipt_number=_text(root.find("receipt_number")),
                procedure=_text(root.find("procedure")),
                form_version=form_version,
                submitted_at=_text(root.find("submitted_at")),
                applicant=applicant,
                certificate_serial=_text(root.find("certificate_serial")),
                form_data=_object(form_el) if form_el is not None else None,
            )
        )
