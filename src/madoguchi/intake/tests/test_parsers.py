"""Manifest parsers: JSON and XML read the same manifest the same way; garbage never crashes."""

from __future__ import annotations

import json
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.intake.bundle import check_member_name
from madoguchi.intake.parsers import ManifestError, parser_for
from madoguchi.intake.parsers.json_manifest import JsonManifestParser
from madoguchi.intake.parsers.xml_manifest import XmlManifestParser

from .bundles import manifest, to_xml

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
keys = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=10)
leaf = text.filter(lambda s: s == s.strip() and s)
form_values = st.recursive(
    leaf,
    lambda children: (
        st.dictionaries(keys, children, min_size=1, max_size=4)
        | st.lists(leaf, min_size=1, max_size=3)
    ),
    max_leaves=10,
)
form_data = st.dictionaries(keys, form_values, max_size=6)


@settings(max_examples=60, deadline=None)
@given(receipt=leaf, procedure=leaf, version=st.integers(1, 99), data=form_data)
def test_json_and_xml_agree(receipt, procedure, version, data):
    m = manifest(
        receipt, procedure=procedure, form_version=version, form_data=data, certificate_serial="AB"
    )
    from_json = JsonManifestParser().parse(json.dumps(m, ensure_ascii=False).encode())
    from_xml = XmlManifestParser().parse(to_xml(m))
    assert from_json.receipt_number == from_xml.receipt_number == receipt
    assert from_json.procedure == from_xml.procedure == procedure
    assert int(from_xml.form_version) == from_json.form_version == version
    assert from_json.applicant == from_xml.applicant
    assert from_json.form_data == from_xml.form_data == data


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_raises_only_manifest_error(data):
    for parser in (JsonManifestParser(), XmlManifestParser()):
        try:
            parser.parse(data)
        except ManifestError as exc:
            assert exc.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_member_names_never_escape(name):
    if check_member_name(name) is None:
        assert not name.startswith("/") and ".." not in name.split("/") and "\\" not in name


def test_registry():
    assert isinstance(parser_for("applications/1/manifest.json"), JsonManifestParser)
    assert isinstance(parser_for("a/MANIFEST.XML"), XmlManifestParser)
    assert parser_for("a/manifest.csv") is None
    assert parser_for("a/other.json") is None


def test_deeply_nested_json_is_refused():
    deep = "[" * 5000 + "]" * 5000
    try:
        JsonManifestParser().parse(f'{{"form_data": {deep}}}'.encode())
    except ManifestError as exc:
        assert "入れ子" in exc.message or "形式" in exc.message
    else:
        raise AssertionError("not refused")
