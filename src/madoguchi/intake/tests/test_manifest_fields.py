"""Every manifest field × a table of hostile values, in JSON and XML manifests.

For each field, one bundle holds one valid application and one application per hostile value.
Required: no exception escapes the import, each hostile application is either imported (the
value was acceptable) or quarantined with a reason, the valid application is imported, and a
re-import changes nothing (no new application, no new quarantine item).
"""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.applications.models import Application
from madoguchi.intake.models import ImportRun, QuarantineItem
from madoguchi.intake.services import bundle_import

from .bundles import PDF_BYTES, BundleBuilder, manifest, to_xml

pytestmark = pytest.mark.django_db

# Raw JSON text, so that values Python would not produce (huge literals, NaN, lone surrogates,
# escaped NUL) reach the parser as a portal could send them.
HOSTILE_JSON: list[str] = [
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1.5",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "1" * 5000,  # beyond Python's int/str conversion limit
    str(2**64),
    str(-(2**63) - 1),
    '""',
    '" "',
    '"①"',
    '"１"',
    '"٣"',
    '"¹"',
    '"0001-01-01T00:00:00"',
    '"0001-01-01T00:00:00+09:00"',
    '"9999-12-31T23:59:59"',
    '"9999-12-31T23:59:59-12:00"',
    '"0001-01-01"',
    '"9999-12-31"',
    '"\\u0000"',
    '"a\\u0000b"',
    '"\\ud800"',
    '"x\\udfffy"',
    '"\\u202e\\u200b"',
    '"\\r\\n\\t"',
    json.dumps("長" * 20000),
    '"../../../etc/passwd"',
    "\"=cmd|' /C calc'!A0\"",
    "[]",
    "{}",
    "[1, [2, {}]]",
    '{"file": "attachments/id.pdf"}',
    '{"a.b": {"file": "attachments/id.pdf"}}',
    '{"": 1, "items": 2, "keys": 3, "__proto__": 4}',
    '{"0": {"file": "attachments/id.pdf"}}',
]

# JSON paths of the manifest (dots), "+key" adds an extra key to form_data.
FIELDS: list[str] = [
    "format_version",
    "receipt_number",
    "procedure",
    "form_version",
    "submitted_at",
    "applicant",
    "applicant.name",
    "applicant.kana",
    "applicant.birth_date",
    "applicant.address",
    "certificate_serial",
    "form_data",
    "form_data.name",
    "form_data.name.family",
    "form_data.name.given_kana",
    "form_data.birth_date",
    "form_data.email",
    "form_data.id_document",
    "form_data.id_document.file",
    "form_data.id_document.name",
    "form_data.id_document.content_type",
    "form_data.+a.b",
    "form_data.+",
    "form_data.+extra",
]

PLACEHOLDER = "__HOSTILE_VALUE__"


def _valid(receipt: str, form_data: dict[str, Any]) -> dict[str, Any]:
    return manifest(receipt, procedure="test-certificate", form_data=copy.deepcopy(form_data))


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    if "+" in path:  # an extra key of form_data, taken as is (dots included)
        parents, last = ["form_data"], path.split("+", 1)[1]
    else:
        *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[part]
    target[last] = value


def _hostile_json(receipt: str, path: str, raw: str, form_data: dict[str, Any]) -> bytes:
    data = _valid(receipt, form_data)
    _set(data, path, PLACEHOLDER)
    text = json.dumps(data, ensure_ascii=False)
    return text.replace(json.dumps(PLACEHOLDER), raw).encode("utf-8", "surrogatepass")


def _hostile_xml(receipt: str, path: str, raw: str, form_data: dict[str, Any]) -> bytes:
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if isinstance(value, float) and value != value:  # NaN: as text, XML has no NaN
        value = raw
    data = _valid(receipt, form_data)
    _set(data, path, value)
    if not isinstance(data.get("applicant"), dict):
        data["applicant"] = {"name": str(data["applicant"])}
    if not isinstance(data.get("form_data"), dict):
        data["form_data"] = {"value": data["form_data"]}
    return to_xml(data)


def _bundle(path: str, *, xml: bool, form_data: dict[str, Any]) -> tuple[bytes, int]:
    builder = BundleBuilder()
    tag = f"{'X' if xml else 'J'}{FIELDS.index(path):02d}"
    builder.add(_valid(f"OK-{tag}", form_data), files={"attachments/id.pdf": PDF_BYTES})
    for i, raw in enumerate(HOSTILE_JSON):
        receipt = f"H-{tag}-{i:02d}"
        body = (_hostile_xml if xml else _hostile_json)(receipt, path, raw, form_data)
        builder.add(
            body, folder=f"applications/{receipt}", xml=xml, files={"attachments/id.pdf": PDF_BYTES}
        )
    return builder.build(), len(HOSTILE_JSON) + 1


def _assert_all_accounted(town: Any, data: bytes, total: int, tag: str) -> None:
    report = bundle_import(municipality=town, path_or_file=io.BytesIO(data), chunk_size=16)
    run = ImportRun.objects.get(pk=report.run.pk)
    assert run.status == ImportRun.Status.COMPLETED, run.error
    assert report.total == total
    assert Application.objects.filter(receipt_number=f"OK-{tag}").exists()
    assert report.imported + report.rejected + report.duplicates == total
    items = QuarantineItem.objects.filter(run=run)
    assert items.count() == report.rejected
    for item in items:
        assert item.reasons and all(r["message"].strip() for r in item.reasons), item.member
    apps, quarantined = Application.objects.count(), QuarantineItem.objects.count()
    again = bundle_import(municipality=town, path_or_file=io.BytesIO(data), chunk_size=16)
    assert again.imported == 0
    assert again.duplicates + again.rejected == total
    assert (Application.objects.count(), QuarantineItem.objects.count()) == (apps, quarantined)


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
@pytest.mark.parametrize("path", FIELDS)
def test_every_field_with_every_hostile_value(town, version, form_data, path, xml):
    data, total = _bundle(path, xml=xml, form_data=form_data)
    _assert_all_accounted(town, data, total, f"{'X' if xml else 'J'}{FIELDS.index(path):02d}")


def test_reasons_follow_the_language_of_the_import(town, version, form_data):
    builder = BundleBuilder().add(
        _valid("R1", form_data) | {"form_version": "①"}, files={"attachments/id.pdf": PDF_BYTES}
    )
    with translation.override("en"):
        report = bundle_import(municipality=town, path_or_file=io.BytesIO(builder.build()))
    (message,) = [r["message"] for r in report.rejections[0].reasons]
    assert message.isascii() and "form_version" in message


def test_circled_digit_form_version_is_quarantined_in_japanese(town, version, form_data):
    builder = BundleBuilder()
    builder.add(_valid("OK1", form_data), files={"attachments/id.pdf": PDF_BYTES})
    builder.add(
        _valid("BAD1", form_data) | {"form_version": "①"}, files={"attachments/id.pdf": PDF_BYTES}
    )
    report = bundle_import(municipality=town, path_or_file=io.BytesIO(builder.build()))
    assert (report.imported, report.rejected) == (1, 1)
    item = QuarantineItem.objects.get()
    assert item.receipt_number == "BAD1"
    assert item.reasons[0]["field"] == "form_version"
    assert "様式の版" in item.reasons[0]["message"]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.datetimes().map(lambda d: d.isoformat()),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(FIELDS), value=json_values, xml=st.booleans())
def test_any_value_in_any_field(town, version, form_data, path, value, xml):
    counter = test_any_value_in_any_field.__dict__.setdefault("n", [0])
    counter[0] += 1
    tag = f"P{counter[0]:04d}"
    raw = json.dumps(value, ensure_ascii=False, allow_nan=True)
    builder = BundleBuilder()
    builder.add(_valid(f"OK-{tag}", form_data), files={"attachments/id.pdf": PDF_BYTES})
    body = (_hostile_xml if xml else _hostile_json)(f"H-{tag}", path, raw, form_data)
    builder.add(
        body, folder=f"applications/H-{tag}", xml=xml, files={"attachments/id.pdf": PDF_BYTES}
    )
    _assert_all_accounted(town, builder.build(), 2, tag)
