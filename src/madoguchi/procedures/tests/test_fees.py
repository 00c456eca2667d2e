"""Fees in a form definition: parsing (errors named by path) and the one computation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from madoguchi.procedures.formdef import DefinitionError, FeeQuote, fee_quote, parse_definition

BASE: dict[str, Any] = {
    "format": 1,
    "steps": [
        {
            "key": "request",
            "title": "請求",
            "fields": [
                {"key": "copies", "type": "number", "label": "通数", "min": 1, "max": 10},
                {
                    "key": "purpose",
                    "type": "choice",
                    "label": "使いみち",
                    "options": [
                        {"value": "pension", "label": "年金"},
                        {"value": "other", "label": "その他"},
                    ],
                },
                {"key": "by_post", "type": "checkbox", "label": "郵送", "checkbox_label": "郵送"},
                {
                    "key": "certificates",
                    "type": "group",
                    "label": "証明書",
                    "fields": [
                        {
                            "key": "kind",
                            "type": "choice",
                            "label": "種類",
                            "options": [
                                {"value": "register", "label": "戸籍"},
                                {"value": "removed", "label": "除籍"},
                            ],
                        },
                        {"key": "copies", "type": "number", "label": "通数"},
                    ],
                },
            ],
        }
    ],
}


def _definition(fees: Any) -> Any:
    data = copy.deepcopy(BASE)
    data["fees"] = fees
    return parse_definition(data)


RULE = {
    "lines": [
        {"key": "residence", "label": "住民票の写し", "unit_price": 300, "quantity": "copies"},
        {
            "key": "register",
            "label": "戸籍証明",
            "label_en": "Family register",
            "unit_price": 450,
            "quantity": "certificates.copies",
            "when": {"field": "kind", "equals": "register"},
        },
        {
            "key": "removed",
            "label": "除籍・改製原戸籍",
            "unit_price": 750,
            "quantity": "certificates.copies",
            "when": {"field": "kind", "equals": "removed"},
        },
        {"key": "items", "label": "証明書の件数", "unit_price": 10, "quantity": "certificates"},
        {
            "key": "postage",
            "label": "郵送料",
            "unit_price": 110,
            "when": {"field": "by_post", "equals": True},
        },
    ],
    "exemption": {"when": {"field": "purpose", "equals": "pension"}, "label": "年金の手続"},
}


@pytest.mark.parametrize(
    ("answers", "lines", "total"),
    [
        ({}, [], 0),
        ({"copies": 2}, [("residence", 2, 600)], 600),
        ({"copies": 0}, [], 0),
        ({"copies": 1, "by_post": True}, [("residence", 1, 300), ("postage", 1, 110)], 410),
        ({"by_post": False}, [], 0),
        (
            {
                "certificates": [
                    {"kind": "register", "copies": 2},
                    {"kind": "removed", "copies": 1},
                    {"kind": "register"},
                ]
            },
            [("register", 2, 900), ("removed", 1, 750), ("items", 3, 30)],
            1680,
        ),
        # Exempt: the lines stay visible, the total is 0.
        ({"copies": 3, "purpose": "pension"}, [("residence", 3, 900)], 0),
        ({"copies": 3, "purpose": "other"}, [("residence", 3, 900)], 900),
    ],
)
def test_fee_quote(answers: dict[str, Any], lines: list[tuple[str, int, int]], total: int) -> None:
    quote = fee_quote(_definition(RULE).fees, answers)
    assert quote is not None
    assert [(line.key, line.quantity, line.amount) for line in quote.lines] == lines
    assert quote.total == total
    assert quote.exempt is (answers.get("purpose") == "pension")
    assert FeeQuote.from_json(quote.as_json()) == quote


def test_no_fee_rule_means_no_quote() -> None:
    assert fee_quote(parse_definition(copy.deepcopy(BASE)).fees, {"copies": 2}) is None


def test_exemption_label_is_kept_for_the_resident() -> None:
    quote = fee_quote(_definition(RULE).fees, {"copies": 1, "purpose": "pension"})
    assert quote is not None and quote.exemption_label == "年金の手続"


@pytest.mark.parametrize(
    ("fees", "path", "message"),
    [
        ("300円", "fees", "expected an object"),
        ({}, "fees.lines", "expected a list"),
        ({"lines": []}, "fees.lines", "at least one fee line"),
        ({"lines": [{"key": "a", "label": "A"}]}, "fees.lines[0].unit_price", "required"),
        (
            {"lines": [{"key": "a", "label": "A", "unit_price": -1}]},
            "fees.lines[0].unit_price",
            "out of range",
        ),
        (
            {"lines": [{"key": "a", "label": "A", "unit_price": "300"}]},
            "fees.lines[0].unit_price",
            "expected an integer",
        ),
        ({"lines": [{"key": "a", "unit_price": 300}]}, "fees.lines[0].label", "required"),
        (
            {"lines": [{"key": "A b", "label": "A", "unit_price": 1}]},
            "fees.lines[0].key",
            "bad key",
        ),
        (
            {"lines": [{"key": "a", "label": "A", "unit_price": 1, "quantity": "nothing"}]},
            "fees.lines[0].quantity",
            "not a field of this form",
        ),
        (
            {"lines": [{"key": "a", "label": "A", "unit_price": 1, "quantity": "purpose"}]},
            "fees.lines[0].quantity",
            "must be a number field",
        ),
        (
            {
                "lines": [
                    {"key": "a", "label": "A", "unit_price": 1, "quantity": "certificates.kind"}
                ]
            },
            "fees.lines[0].quantity",
            "not a number field of the group",
        ),
        (
            {
                "lines": [
                    {
                        "key": "a",
                        "label": "A",
                        "unit_price": 1,
                        "when": {"field": "kind", "equals": "register"},
                    }
                ]
            },
            "fees.lines[0].when.field",
            "not a field that comes before",
        ),
        (
            {
                "lines": [
                    {
                        "key": "a",
                        "label": "A",
                        "unit_price": 1,
                        "when": {"field": "purpose", "equals": "nope"},
                    }
                ]
            },
            "fees.lines[0].when.equals",
            "",
        ),
        (
            {"lines": [{"key": "a", "label": "A", "unit_price": 1, "price": 2}]},
            "fees.lines[0].price",
            "unknown attribute",
        ),
        (
            {
                "lines": [
                    {"key": "a", "label": "A", "unit_price": 1},
                    {"key": "a", "label": "B", "unit_price": 2},
                ]
            },
            "fees.lines[1].key",
            "duplicate fee line key",
        ),
        (
            {"lines": [{"key": "a", "label": "A", "unit_price": 1}], "exemption": {"label": "x"}},
            "fees.exemption.when",
            "required",
        ),
        (
            {
                "lines": [{"key": "a", "label": "A", "unit_price": 1}],
                "exemption": {"when": {"field": "purpose", "equals": "pension"}},
            },
            "fees.exemption.label",
            "required",
        ),
    ],
)
def test_bad_fee_rules_are_named_by_path(fees: Any, path: str, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        _definition(fees)
    assert caught.value.path == path
    assert message in caught.value.message
