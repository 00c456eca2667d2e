"""CSV import/export: UTF-8 and Shift_JIS, all-or-nothing, bad rows reported by line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.faq import csv_io, selectors
from madoguchi.faq.models import FaqEntry, Status
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality
from madoguchi.tenancy.tests.factories import MunicipalityFactory

from .factories import FaqEntryFactory

pytestmark = pytest.mark.django_db

HEADER = "id,question,answer,category,alt_questions,keywords,related_procedures,contact,status,last_reviewed\r\n"


@pytest.fixture
def town() -> Municipality:
    town = MunicipalityFactory()
    Procedure.objects.create(
        municipality=town, slug="bulky-waste", name="粗大ごみ", is_published=True
    )
    return town


def _csv(*rows: str) -> str:
    return HEADER + "".join(r + "\r\n" for r in rows)


def test_import_utf8_and_shift_jis(town: Municipality) -> None:
    text = _csv(
        ',粗大ごみの出し方,"予約制です。\n手数料が必要です。",ごみ,"大きいごみ\n家具を捨てたい",粗大 家具,bulky-waste,環境課,公開,2025-04-01',
        ",犬の登録,30日以内に登録してください。,ペット,,,,,draft,",
    )
    for encoding, data in (
        ("utf-8", text.encode("utf-8-sig")),
        ("shift_jis", text.encode("cp932")),
    ):
        FaqEntry.objects.all().delete()
        result = csv_io.import_csv(municipality=town, data=data)
        assert result.ok, result.errors
        assert (result.created, result.updated) == (2, 0), encoding
    entry = FaqEntry.objects.get(question="粗大ごみの出し方")
    assert entry.status == Status.PUBLISHED
    assert entry.alt_question_list == ["大きいごみ", "家具を捨てたい"]
    assert [p.slug for p in entry.related_procedures.all()] == ["bulky-waste"]
    assert str(entry.last_reviewed) == "2025-04-01"
    assert len(selectors.searchable_documents(municipality=town)) == 1


def test_bad_rows_are_reported_and_nothing_is_imported(town: Municipality) -> None:
    other = FaqEntryFactory()  # another municipality's id must not be updatable
    text = _csv(
        ",良い行,回答,,,,,,,",
        ",,回答がある,,,,,,,",
        f"{other.pk},他の町の質問,回答,,,,,,,",
        ",日付が変,回答,,,,,,published,2025/13/40",
        ",手続が変,回答,,,,no-such,,,",
        ",状態が変,回答,,,,,,someday,",
    )
    result = csv_io.import_csv(municipality=town, data=text.encode())
    assert not result.ok
    where = {(e.row, e.column) for e in result.errors}
    assert where == {
        (3, "question"),
        (4, "id"),
        (5, "last_reviewed"),
        (6, "related_procedures"),
        (7, "status"),
    }
    assert not FaqEntry.objects.filter(municipality=town).exists()
    assert "3行目（question）" in str(result.errors[0])


def test_header_errors(town: Municipality) -> None:
    result = csv_io.import_csv(municipality=town, data=b"question,colour\r\nq,x\r\n")
    assert {e.column for e in result.errors} == {"colour", "answer"}


def test_undecodable_file(town: Municipality) -> None:
    result = csv_io.import_csv(municipality=town, data=b"\xff\xfe\x00q", encoding="utf-8")
    assert not result.ok and "文字コード" in result.errors[0].message


def test_update_by_id_and_round_trip(town: Municipality) -> None:
    result = csv_io.import_csv(
        municipality=town, data=_csv(",住民票,市民課で。,戸籍,,,,,公開,").encode()
    )
    assert result.ok
    exported = csv_io.export_csv(FaqEntry.objects.for_municipality(town), encoding="shift_jis")
    rows = list(csv.reader(io.StringIO(exported.decode("cp932"))))
    assert rows[0] == list(csv_io.COLUMNS)
    rows[1][2] = "コンビニでも取れます〜"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    again = csv_io.import_csv(municipality=town, data=buffer.getvalue().encode("utf-8"))
    assert (again.created, again.updated) == (0, 1)
    assert FaqEntry.objects.get().answer == "コンビニでも取れます〜"


def test_english_texts_are_imported_and_exported(town: Municipality) -> None:
    header = "question,answer,status,question_en,answer_en\r\n"
    row = '住民票,市民課で。,公開,Residence certificate,"At the **Citizens Division**."\r\n'
    result = csv_io.import_csv(municipality=town, data=(header + row).encode())
    assert result.ok, result.errors
    entry = FaqEntry.objects.get()
    assert entry.question_en == "Residence certificate"
    assert entry.answer_en == "At the **Citizens Division**."
    exported = csv_io.export_csv(FaqEntry.objects.for_municipality(town)).decode("utf-8-sig")
    header_row, first = list(csv.reader(io.StringIO(exported)))[:2]
    english = dict(zip(header_row, first, strict=True))
    assert english["question_en"] == "Residence certificate"
    assert english["answer_en"] == "At the **Citizens Division**."
    too_long = '住民票,市民課で。,公開,"' + "x" * 301 + '",\r\n'
    bad = csv_io.import_csv(municipality=town, data=(header + too_long).encode())
    assert not bad.ok and bad.errors[0].column == "question_en"


def test_english_category_and_contact_round_trip_and_older_files_keep_them(
    town: Municipality,
) -> None:
    header = "question,answer,status,category,category_en,contact,contact_en\r\n"
    row = '住民票,市民課で。,公開,戸籍・住民票,Family register,市民課 1番,"Citizens Division, desk 1"\r\n'
    assert csv_io.import_csv(municipality=town, data=(header + row).encode()).ok
    entry = FaqEntry.objects.get()
    assert (entry.category_en, entry.contact_en) == ("Family register", "Citizens Division, desk 1")
    exported = csv_io.export_csv([entry]).decode("utf-8-sig")
    header_row, first = list(csv.reader(io.StringIO(exported)))[:2]
    assert {"category_en", "contact_en"} <= set(header_row)
    assert dict(zip(header_row, first, strict=True))["contact_en"] == "Citizens Division, desk 1"
    # A file from before the English columns (the old header) still imports and keeps them.
    older = _csv(f"{entry.pk},住民票,窓口で。,戸籍・住民票,,,,市民課 1番,公開,")
    assert csv_io.import_csv(municipality=town, data=older.encode()).ok
    entry.refresh_from_db()
    assert entry.answer == "窓口で。" and entry.contact_en == "Citizens Division, desk 1"
    too_long = "住民票,市民課で。,公開,分類," + "x" * 61 + ",,\r\n"
    bad = csv_io.import_csv(municipality=town, data=(header + too_long).encode())
    assert not bad.ok and bad.errors[0].column == "category_en"


def test_dry_run_writes_nothing(town: Municipality) -> None:
    result = csv_io.import_csv(municipality=town, data=_csv(",q,a,,,,,,,").encode(), dry_run=True)
    assert result.ok and result.created == 1
    assert not FaqEntry.objects.exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_import_never_crashes_on_arbitrary_bytes(town: Municipality, data: bytes) -> None:
    result = csv_io.import_csv(municipality=town, data=data, dry_run=True)
    assert isinstance(result.ok, bool)


def test_staff_import_and_export_pages(client: Client, town: Municipality) -> None:
    user = StaffUserFactory(municipality=town, manager=True)
    client.force_login(user)
    upload = io.BytesIO(_csv(",粗大ごみ,予約制です。,ごみ,,,,,公開,").encode("cp932"))
    upload.name = "faq.csv"
    response = client.post(reverse("faq_staff:import"), {"file": upload, "encoding": "shift_jis"})
    assert response.status_code == 302
    assert FaqEntry.objects.for_municipality(town).count() == 1
    bad = io.BytesIO(_csv(",,回答,,,,,,,").encode())
    bad.name = "bad.csv"
    page = client.post(reverse("faq_staff:import"), {"file": bad, "encoding": "auto"})
    assert page.status_code == 400 and "2行目（question）" in page.content.decode()
    export = client.get(reverse("faq_staff:export"), {"encoding": "shift_jis"})
    assert export["Content-Type"] == "text/csv; charset=shift_jis"
    assert "粗大ごみ" in export.content.decode("cp932")


def test_shift_jis_export_names_characters_it_cannot_hold_instead_of_writing_question_marks(
    client: Client, town: Municipality
) -> None:
    FaqEntryFactory(municipality=town, question="𠮷野家の近くの窓口は？", answer="①番窓口です😀")
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    refused = client.get(reverse("faq_staff:export"), {"encoding": "shift_jis"}, follow=True)
    page = refused.content.decode()
    assert refused.redirect_chain and "書き出しませんでした" in page
    assert "「𠮷」（U+20BB7）" in page and "U+1F600" in page
    assert "U+2460" not in page  # ① is cp932 (NEC row 13): written as it is
    utf8 = client.get(reverse("faq_staff:export"))
    assert "𠮷野家" in utf8.content.decode("utf-8-sig")


def test_import_command(tmp_path: Path, town: Municipality) -> None:
    path = tmp_path / "faq.csv"
    path.write_bytes(_csv(",q1,a1,,,,,,,").encode())
    call_command("faq_import_csv", town.code, str(path))
    assert FaqEntry.objects.count() == 1
    path.write_bytes(_csv(",,a1,,,,,,,").encode())
    with pytest.raises(CommandError):
        call_command("faq_import_csv", town.code, str(path))


def test_export_neutralises_formula_cells_and_round_trips(
    client: Client, town: Municipality
) -> None:
    """Every hostile value in every text column of the staff export (both encodings) comes out
    guarded; importing the file back restores the values exactly."""
    from madoguchi.core.tests.test_csv import HOSTILE, is_formula

    client.force_login(StaffUserFactory(municipality=town, manager=True))
    texts = list(HOSTILE)
    for value in texts:
        FaqEntryFactory(
            municipality=town,
            question=value,
            answer=value,
            category=value[:20],
            alt_questions=value,
            keywords=value,
            contact=value,
        )
    for encoding, charset in (("utf-8", "utf-8-sig"), ("shift_jis", "cp932")):
        response = client.get(reverse("faq_staff:export"), {"encoding": encoding})
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode(charset), newline="")))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [cell for cell in cells if is_formula(cell)], encoding
        assert {row[1] for row in rows[1:]} == {"'" + v for v in texts}

    # The import trims cells and folds whitespace in questions (by design): the round trip is
    # compared on the entries whose values do not start with a TAB or CR.
    def values() -> dict[int, tuple[str, ...]]:
        return {
            e.pk: (e.question, e.answer, e.category, e.alt_questions, e.keywords, e.contact)
            for e in FaqEntry.objects.for_municipality(town)
            if not e.answer[0].isspace()
        }

    before = values()
    exported = client.get(reverse("faq_staff:export")).content
    result = csv_io.import_csv(municipality=town, data=exported)
    assert result.ok and result.updated == len(texts), result.errors
    after = {pk: v for pk, v in values().items() if pk in before}
    assert after == before
