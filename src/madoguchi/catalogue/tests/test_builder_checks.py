"""Plain-language and accessibility checks: each check's finding, and silence on good text."""

from __future__ import annotations

from madoguchi.catalogue.builder.checks import CHECKS, kanji_share, run_checks


def _codes(definition):
    return {(f.path, f.attribute, f.code) for f in run_checks(definition)}


GOOD = {
    "steps": [
        {
            "key": "applicant",
            "title": "申請する人",
            "title_en": "Applicant",
            "fields": [
                {"key": "name", "type": "name", "label": "氏名", "label_en": "Name"},
                {
                    "key": "birth",
                    "type": "date",
                    "label": "生年月日",
                    "label_en": "Date of birth",
                    "help": "例：昭和50年4月1日",
                    "help_en": "e.g. 1 April 1975",
                },
            ],
        }
    ]
}


def test_the_registry_holds_every_check_the_issue_names():
    assert {
        "label_length",
        "help_length",
        "kanji_density",
        "long_sentences",
        "missing_english",
        "required_without_label",
        "date_without_example",
    } <= set(CHECKS)


def test_a_plain_bilingual_form_has_no_findings():
    assert run_checks(GOOD) == []


def test_each_check_finds_its_problem():
    bad = {
        "steps": [
            {
                "key": "s",
                "title": "申請者",
                "fields": [
                    {
                        "key": "a",
                        "type": "text",
                        "label": "住民基本台帳法施行令第三十条の二十六第一項に規定する申出書の記載事項",
                        "label_en": "x",
                        "help": "あ" * 130,
                        "help_en": "x",
                    },
                    {
                        "key": "b",
                        "type": "text",
                        "label": "申請者氏名漢字表記確認",
                        "help": "本申請書記載事項確認後提出。",
                        "help_en": "x",
                    },
                    {"key": "c", "type": "text", "label": " ", "label_en": "x", "required": True},
                    {"key": "d", "type": "date", "label": "転入日", "label_en": "Moving day"},
                    {
                        "key": "e",
                        "type": "choice",
                        "label": "性別",
                        "label_en": "Sex",
                        "options": [{"value": "m", "label": "男"}],
                    },
                ],
            }
        ]
    }
    found = _codes(bad)
    assert ("steps[0]", "title_en", "missing_english") in found
    assert ("steps[0].fields[0]", "label", "label_length") in found
    assert ("steps[0].fields[0]", "help", "help_length") in found
    assert ("steps[0].fields[0]", "help", "long_sentence") in found
    assert ("steps[0].fields[1]", "label", "kanji_density") in found
    assert ("steps[0].fields[1]", "help", "kanji_density") in found
    assert ("steps[0].fields[1]", "label_en", "missing_english") in found
    assert ("steps[0].fields[2]", "label", "required_without_label") in found
    assert ("steps[0].fields[3]", "help", "date_without_example") in found
    assert ("steps[0].fields[4]", "options", "missing_english") in found
    messages = {f.code: f.message for f in run_checks(bad)}
    assert "やさしい日本語" in messages["kanji_density"]
    assert "記入例" in messages["date_without_example"]


def test_kanji_share_counts_letters_only():
    assert kanji_share("") == 0.0
    assert kanji_share("申請 する") == 0.5


def test_checks_run_on_definitions_the_parser_refuses():
    assert run_checks({"steps": "not a list"}) == []
    assert run_checks([1, 2]) == []
    findings = run_checks({"steps": [{"key": "s", "fields": [{"type": "date"}, 3]}]})
    assert {f.code for f in findings} == {"date_without_example"}
