"""Building bundles for tests and the ingest benchmark (see docs/bundle-format.md)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# Smallest files whose type the sniffer recognises.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def applicant(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "山田 花子",
        "kana": "ヤマダ ハナコ",
        "birth_date": "1975-04-01",
        "address": "静岡県テスト市本町1-1",
        **overrides,
    }


def manifest(
    receipt_number: str,
    *,
    procedure: str,
    form_version: int = 1,
    form_data: dict[str, Any],
    submitted_at: str = "2025-06-16T09:30:00+09:00",
    certificate_serial: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format_version": 1,
        "receipt_number": receipt_number,
        "procedure": procedure,
        "form_version": form_version,
        "submitted_at": submitted_at,
        "applicant": applicant(),
        "form_data": form_data,
    }
    if certificate_serial is not None:
        data["certificate_serial"] = certificate_serial
    data.update(overrides)
    return data


def _xml_value(key: str | None, value: Any) -> str:
    attr = f" key={quoteattr(key)}" if key is not None else ""
    tag = "field" if key is not None else "item"
    if isinstance(value, dict) and set(value) == {"file"}:  # what the XML parser reads back
        return f"<{tag}{attr} file={quoteattr(str(value['file']))}/>"
    if isinstance(value, dict):
        inner = "".join(_xml_value(k, v) for k, v in value.items())
        return f"<{tag}{attr}>{inner}</{tag}>"
    if isinstance(value, list):
        if not value:
            return f'<{tag}{attr} type="list"/>'
        return f"<{tag}{attr}>{''.join(_xml_value(None, v) for v in value)}</{tag}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}{attr}>{escape(str(value))}</{tag}>"


def to_xml(data: dict[str, Any]) -> bytes:
    a = data.get("applicant", {})
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<application format_version="{data.get("format_version", 1)}">'
    ]
    for key in (
        "receipt_number",
        "procedure",
        "form_version",
        "submitted_at",
        "certificate_serial",
    ):
        if data.get(key) is not None:
            parts.append(f"<{key}>{escape(str(data[key]))}</{key}>")
    parts.append(
        "<applicant>"
        + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in a.items())
        + "</applicant>"
    )
    form = data.get("form_data") or {}
    parts.append(
        "<form_data>" + "".join(_xml_value(k, v) for k, v in form.items()) + "</form_data>"
    )
    parts.append("</application>")
    return "".join(parts).encode("utf-8", "surrogatepass")  # lone surrogates kept: hostile tests


@dataclass
class BundleBuilder:
    """Collects applications and extra members; `build()` returns the zip bytes."""

    entries: list[tuple[str, bytes]] = field(default_factory=list)

    def add(
        self,
        data: dict[str, Any] | bytes,
        *,
        folder: str | None = None,
        xml: bool = False,
        files: dict[str, bytes] | None = None,
    ) -> BundleBuilder:
        folder = (
            folder
            or f"applications/{data['receipt_number'] if isinstance(data, dict) else len(self.entries)}"
        )
        if isinstance(data, bytes):
            body = data
            name = "manifest.xml" if xml else "manifest.json"
        elif xml:
            body, name = to_xml(data), "manifest.xml"
        else:
            body, name = json.dumps(data, ensure_ascii=False).encode(), "manifest.json"
        self.entries.append((f"{folder}/{name}", body))
        for rel, content in (files or {}).items():
            self.entries.append((f"{folder}/{rel}", content))
        return self

    def raw(self, name: str, content: bytes) -> BundleBuilder:
        self.entries.append((name, content))
        return self

    def build(self, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression) as zf:
            for name, content in self.entries:
                zf.writestr(name, content)
        return buffer.getvalue()
