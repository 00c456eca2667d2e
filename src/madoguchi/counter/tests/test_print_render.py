"""Printed official forms rendered for real, then read back as text and as pixels."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from madoguchi.counter.print import (
    LayoutError,
    LayoutSpec,
    MissingGlyphs,
    layout_for,
    print_document,
    print_items,
    render_pdf,
)
from madoguchi.counter.print import fonts as print_fonts
from madoguchi.counter.print.generated import VALUE_SIZE
from madoguchi.procedures.formdef import parse_definition
from madoguchi.procedures.library import LIBRARY_DIR

from . import pdftools

A4_POINTS = (pytest.approx(A4[0], abs=0.01), pytest.approx(A4[1], abs=0.01))
PRINTED_ON = date(2026, 12, 5)


def moving_out() -> tuple[Any, str]:
    entry = json.loads((LIBRARY_DIR / "moving-out.json").read_text(encoding="utf-8"))
    return parse_definition(entry["form"]), entry["name"]


def person(family: str, given: str, kana_family: str, kana_given: str) -> dict[str, str]:
    return {
        "family": family,
        "given": given,
        "family_kana": kana_family,
        "given_kana": kana_given,
    }


ANSWERS: dict[str, Any] = {
    "notifier_name": person("髙𠮷", "太郎", "タカヨシ", "タロウ"),
    "notifier_birth_date": "1980-04-01",
    "notifier_phone": "09012345678",
    "notifier_email": "taro@example.jp",
    "current_postal_code": "1000001",
    "current_address": {
        "prefecture": "東京都",
        "city": "千代田区",
        "street": "千代田1-1",
        "building": "﨑ハイツ101",
    },
    "head_of_household": person("髙𠮷", "太郎", "", ""),
    "move_date": "2026-12-20",
    "destination": "domestic",
    "new_postal_code": "5300001",
    "new_address": {
        "prefecture": "大阪府",
        "city": "大阪市北区",
        "street": "梅田3-1-1",
        "building": "",
    },
    "new_country": "フランス",  # hidden (destination is domestic): never printed
    "movers": [
        {
            "name": person("髙𠮷", "太郎", "タカヨシ", "タロウ"),
            "birth_date": "1980-04-01",
            "sex": "male",
            "relationship": "世帯主",
            "has_my_number_card": "yes",
        },
        {
            "name": person("髙𠮷", "花子", "タカヨシ", "ハナコ"),
            "birth_date": "1982-06-15",
            "sex": "female",
            "relationship": "妻",
            "has_my_number_card": "no",
        },
    ],
    "moving_in_reservation": "no",
    "related_procedures": ["national_health_insurance", "child_allowance"],
    "consent": True,
}


def document(answers: dict[str, Any] | None = None) -> Any:
    definition, name = moving_out()
    return print_document(
        definition=definition,
        answers=ANSWERS if answers is None else answers,
        municipality="みどり市",
        procedure=name,
        printed_on=PRINTED_ON,
        receipt_number="20261205-123456",
    )


@pytest.fixture(scope="module")
def generated_pdf() -> bytes:
    return render_pdf(document())


# --- The items: one seam to the form engine --------------------------------------------------


def test_items_follow_print_order_and_print_label_and_skip_hidden_answers():
    definition = parse_definition(
        {
            "steps": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {"key": "first", "type": "text", "label": "最初"},
                        {"key": "second", "type": "text", "label": "二番目", "print_order": 2},
                        {
                            "key": "third",
                            "type": "text",
                            "label": "三番目",
                            "print_label": "第三欄",
                            "print_order": 1,
                        },
                        {
                            "key": "screen_only",
                            "type": "text",
                            "label": "画面だけ",
                            "channels": ["online"],
                        },
                        {
                            "key": "hidden",
                            "type": "text",
                            "label": "隠れる",
                            "when": {"field": "first", "equals": "x"},
                        },
                        {"key": "blank", "type": "text", "label": "空欄"},
                    ],
                }
            ]
        }
    )
    answers = {"first": "a", "second": "b", "third": "c", "screen_only": "d", "hidden": "e"}
    items = print_items(definition, answers)
    assert [(i.key, i.label, i.value) for i in items] == [
        ("third", "第三欄", "c"),
        ("second", "二番目", "b"),
        ("first", "最初", "a"),
        ("blank", "空欄", ""),  # unanswered: a blank on paper, not （未入力）
    ]


def test_items_give_display_values_parts_choices_and_group_tables():
    items = {i.key: i for i in print_items(moving_out()[0], ANSWERS)}
    assert "new_country" not in items
    name = items["notifier_name"]
    # Paper takes the field type's print_value: the name as forms write it (フリガナ is its own
    # box on an official form: the parts below), dates in 和暦 only.
    assert (name.label, name.value) == ("届出人氏名", "髙𠮷\u3000太郎")
    assert name.parts["family"] == "髙𠮷" and name.parts["given_kana"] == "タロウ"
    assert items["notifier_birth_date"].value == "昭和55年4月1日"
    assert items["destination"].selected == ("domestic",)
    movers = items["movers"]
    assert movers.label == "異動者" and movers.is_table
    assert movers.columns[:3] == ("氏名", "生年月日", "性別")
    assert movers.rows[1][:3] == ("髙𠮷\u3000花子", "昭和57年6月15日", "女")
    values = document().values()
    assert values["movers.1.name.given"] == "花子"
    assert values["_printed_on"] == "令和8年12月5日"


# --- The generated layout ---------------------------------------------------------------------


def test_generated_form_is_a4_with_the_values_as_extractable_text(generated_pdf):
    assert pdftools.media_boxes(generated_pdf) == [A4_POINTS]
    text = pdftools.text(generated_pdf)
    for expected in (
        "転出届（転出・転入予約）",
        "（宛先）みどり市長",
        "記入日 令和8年12月5日",
        "20261205-123456",
        "届出人氏名",
        "髙𠮷",  # 𠮷 is U+20BB7, beyond the BMP
        "太郎",
        "花子",
        "〒100-0001",
        "東京都千代田区千代田1-1 﨑ハイツ101",
        "昭和55年4月1日",
        "国民健康保険、児童手当",
        "届出人署名",  # the applicant's field is 届出人氏名: a notification
    ):
        assert expected in text, expected
    assert "フランス" not in text
    assert "\U00020bb7" in text and "₻" not in text


def test_fonts_are_embedded_subsets_with_mj_fallback(generated_pdf):
    found = pdftools.fonts(generated_pdf)
    names = sorted(str(f["/BaseFont"]) for f in found)
    assert [n.split("+", 1)[1] for n in names] == ["IPAexGothic", "IPAexMincho", "IPAmjMincho"]
    for font in found:
        assert re.fullmatch(r"/[A-Z]{6}\+\w+", str(font["/BaseFont"])), font["/BaseFont"]
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # TrueType program embedded
        assert "/ToUnicode" in font
        program = descriptor["/FontFile2"].get_object().get_data()
        # A subset: far smaller than the installed font file.
        assert len(program) < 200_000
    assert len(generated_pdf) < 400_000


def test_glyphs_are_drawn_not_empty_boxes(generated_pdf, tmp_path):
    """The name's glyphs as pixels: not blank, and the same ink as the characters drawn alone
    with the fonts that hold them (a missing glyph would be blank or a .notdef box)."""
    page = pdftools.raster(generated_pdf)
    word = next(w for w in pdftools.words(generated_pdf) if w.text == "髙𠮷")
    box = (word.x0 - 1, word.y0 - 1, word.x1 + 1, word.y1 + 1)
    ink = pdftools.dark_pixels(page, box)

    # The reference: 髙 in IPAexMincho and 𠮷 in IPAmj明朝 at the same size, nothing else.
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    print_fonts.draw_text(canvas, 100, 700, "髙𠮷", "mincho", VALUE_SIZE)
    canvas.save()
    reference_pdf = print_fonts.fix_to_unicode(buffer.getvalue())
    reference_word = next(w for w in pdftools.words(reference_pdf) if w.text == "髙𠮷")
    reference = pdftools.dark_pixels(
        pdftools.raster(reference_pdf),
        (
            reference_word.x0 - 1,
            reference_word.y0 - 1,
            reference_word.x1 + 1,
            reference_word.y1 + 1,
        ),
    )
    assert reference > 60
    assert abs(ink - reference) <= reference * 0.1, (ink, reference)

    # And 𠮷 alone really comes from IPAmj: IPAex has no glyph for it.
    assert print_fonts.font_for("\U00020bb7", "mincho") == "IPAmjMincho"
    assert print_fonts.font_for("髙", "mincho") == "IPAexMincho"
    page.save(tmp_path / "generated.png")


def test_a_long_form_continues_on_more_pages_with_the_signature_at_the_end():
    answers = dict(ANSWERS)
    answers["movers"] = ANSWERS["movers"] * 5  # ten people
    pdf = render_pdf(document(answers))
    boxes = pdftools.media_boxes(pdf)
    assert len(boxes) == 2 and all(b == A4_POINTS for b in boxes)
    page_two = pdftools.text(pdf).split("\f")[1]
    assert "（続き）" in page_two and "届出人署名" in page_two


def test_a_character_no_font_has_is_refused_with_its_field():
    answers = json.loads(json.dumps(ANSWERS))
    answers["notifier_name"]["given"] = "太\ue000郎"  # a private-use 外字 code
    answers["current_address"]["building"] = "ハイツ\U0001f3e0"
    with pytest.raises(MissingGlyphs) as caught:
        render_pdf(document(answers))
    assert caught.value.by_field() == {"届出人氏名": ["\ue000"], "いまの住所": ["\U0001f3e0"]}
    message = caught.value.describe()
    assert "U+E000" in message and "U+1F3E0" in message and "届出人氏名" in message


# --- The overlay layout on the municipality's own PDF ---------------------------------------


def official_form() -> bytes:
    """A stand-in for a municipality's form: printed title, ruled boxes, two pages."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    print_fonts.draw_text(canvas, 30 * mm, A4[1] - 20 * mm, "住民異動届（様式第1号）", "gothic", 16)
    canvas.rect(30 * mm, A4[1] - 70 * mm, 150 * mm, 14 * mm)
    print_fonts.draw_text(canvas, 32 * mm, A4[1] - 60 * mm, "氏名", "gothic", 8)
    canvas.rect(30 * mm, A4[1] - 100 * mm, 10 * mm, 10 * mm)
    canvas.showPage()
    print_fonts.draw_text(canvas, 30 * mm, A4[1] - 20 * mm, "裏面（記入例）", "gothic", 12)
    canvas.save()
    return buffer.getvalue()


PLACEMENTS = {
    "format": 1,
    "fields": [
        {"key": "notifier_name", "page": 1, "x": 45, "y": 65, "size": 14, "max_width": 60},
        {"key": "notifier_name.family_kana", "page": 1, "x": 45, "y": 60.5, "size": 7},
        {
            "key": "destination",
            "equals": "domestic",
            "text": "〇",
            "page": 1,
            "x": 32,
            "y": 97,
            "size": 14,
        },
        {
            "key": "destination",
            "equals": "abroad",
            "text": "〇",
            "page": 1,
            "x": 60,
            "y": 97,
            "size": 14,
        },
        {"key": "current_address", "page": 1, "x": 45, "y": 120, "size": 12, "max_width": 50},
        {"key": "_printed_on", "page": 2, "x": 150, "y": 20, "size": 10, "align": "right"},
    ],
}


def test_overlay_keeps_the_form_and_puts_values_at_their_coordinates():
    spec = LayoutSpec(kind="overlay", placements=PLACEMENTS, base_pdf=official_form())
    layout_for("overlay").check(spec)
    pdf = render_pdf(document(), spec)
    assert pdftools.media_boxes(pdf) == [A4_POINTS, A4_POINTS]
    pages = pdftools.text(pdf).split("\f")
    assert "住民異動届（様式第1号）" in pages[0] and "氏名" in pages[0]  # the base's content
    assert "裏面（記入例）" in pages[1] and "令和8年12月5日" in pages[1]
    assert "髙𠮷" in pages[0] and "太郎" in pages[0] and "タカヨシ" in pages[0]

    words = {w.text: w for w in pdftools.words(pdf)}
    name = words["髙𠮷"]
    assert name.x0 == pytest.approx(45 * mm, abs=0.5)
    # The baseline at 65 mm from the top: the glyphs sit just above it.
    assert name.y1 == pytest.approx(65 * mm, abs=14 * 0.3)
    # Shrunk to fit 60 mm: the whole name ends inside the box.
    last = max(w.x1 for w in pdftools.words(pdf) if abs(w.y1 - name.y1) < 2 and w.x0 >= name.x0)
    assert last <= (45 + 60) * mm + 1

    page = pdftools.raster(pdf)
    mark_box = (32 * mm - 1, 97 * mm - 14, 32 * mm + 15, 97 * mm + 2)
    other_box = (60 * mm - 1, 97 * mm - 14, 60 * mm + 15, 97 * mm + 2)
    assert pdftools.dark_pixels(page, mark_box) > 40  # 〇 for the chosen option
    assert pdftools.dark_pixels(page, other_box) == 0  # nothing for the other
    # The base's ruled box is still there under the drawn text.
    assert pdftools.dark_pixels(page, (30 * mm - 1, 56 * mm - 1, 180 * mm + 1, 56 * mm + 1)) > 300


def test_overlay_long_text_is_shrunk_then_wrapped_inside_its_width():
    answers = json.loads(json.dumps(ANSWERS))
    answers["current_address"]["street"] = "千代田一丁目一番一号" * 4
    spec = LayoutSpec(kind="overlay", placements=PLACEMENTS, base_pdf=official_form())
    pdf = render_pdf(document(answers), spec)
    lines = [w for w in pdftools.words(pdf) if w.y0 > 110 * mm and w.x0 >= 44 * mm]
    assert lines and max(w.x1 for w in lines) <= (45 + 50) * mm + 1
    assert "千代田一丁目一番一号" in pdftools.text(pdf).replace("\n", "")


@pytest.mark.parametrize(
    ("placements", "message"),
    [
        ({"fields": []}, "1つ以上"),
        ({"fields": [{"key": "Bad Key", "x": 1, "y": 1}]}, "key"),
        ({"fields": [{"key": "a", "x": 1}]}, "「y」"),
        ({"fields": [{"key": "a", "x": 1, "y": 1, "page": 3}]}, "2ページ"),
        ({"fields": [{"key": "a", "x": 1, "y": 500}]}, "ページの外"),
        ({"fields": [{"key": "a", "x": 1, "y": 1, "colour": "red"}]}, "colour"),
        ({"fields": [{"key": "a", "x": 1, "y": 1, "style": "brush"}]}, "mincho"),
    ],
)
def test_overlay_placements_are_checked_with_a_message_that_says_what_to_fix(placements, message):
    spec = LayoutSpec(kind="overlay", placements=placements, base_pdf=official_form())
    with pytest.raises(LayoutError, match=message):
        layout_for("overlay").check(spec)


def test_overlay_needs_a_readable_pdf():
    for base in (None, b"%PDF-1.4 not really", b"hello"):
        with pytest.raises(LayoutError):
            layout_for("overlay").check(LayoutSpec("overlay", PLACEMENTS, base))
    with pytest.raises(LayoutError):
        layout_for("stamp")


# --- Any text: printed and read back, or refused naming exactly what no font has -------------

LONG_TEXT_FORM = {
    "steps": [
        {
            "key": "s",
            "title": "S",
            "fields": [{"key": "note", "type": "long_text", "label": "備考"}],
        }
    ]
}


def _render_note(text: str) -> bytes:
    return render_pdf(
        print_document(
            definition=parse_definition(LONG_TEXT_FORM),
            answers={"note": text},
            municipality="みどり市",
            procedure="テスト",
            printed_on=PRINTED_ON,
        )
    )


def _squeeze(text: str) -> str:
    return "".join(text.split())


JAPANESE = st.one_of(
    st.characters(min_codepoint=0x3041, max_codepoint=0x3096),  # hiragana
    st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA),  # katakana
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK unified ideographs
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # extension B (𠮷 …)
    st.sampled_from("髙﨑𠮷ＡＢ１２abcXYZ0-9（）、。・ー"),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=JAPANESE, min_size=1, max_size=40))
def test_any_text_is_printed_as_itself_or_refused_with_exactly_the_missing_characters(text):
    lacking = {c for c in text if print_fonts.font_for(c, "mincho") is None}
    if lacking:
        with pytest.raises(MissingGlyphs) as caught:
            _render_note(text)
        assert set(caught.value.by_field()["備考"]) == lacking
        return
    assert _squeeze(text) in _squeeze(pdftools.text(_render_note(text)))


def test_more_than_one_font_subset_still_reads_back():
    # ReportLab puts at most 256 glyphs in one subset: 600 distinct kanji need several.
    kanji = "".join(
        c for c in map(chr, range(0x4E00, 0x5400)) if print_fonts.has_glyph("IPAexMincho", c)
    )[:600]
    pdf = _render_note(kanji + "𠮷")
    assert kanji + "𠮷" in _squeeze(pdftools.text(pdf))
    subsets = [str(f["/BaseFont"]) for f in pdftools.fonts(pdf)]
    assert sum(name.endswith("+IPAexMincho") for name in subsets) >= 3
