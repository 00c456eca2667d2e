from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from madoguchi.intake.models import ImportedApplication, LinkageImport, ResidentLink
from madoguchi.intake.services import (
    LinkageRefused,
    bundle_import,
    linkage_import,
    normalize_serial,
)

pytestmark = pytest.mark.django_db


def _csv(text: str, encoding: str = "utf-8-sig") -> io.BytesIO:
    out = io.BytesIO(text.encode(encoding))
    out.name = "links.csv"
    return out


def _links(town: Any) -> dict[str, str]:
    return dict(
        ResidentLink.objects.for_municipality(town).values_list(
            "certificate_serial", "resident_number"
        )
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00:ab:12", "AB12"),
        ("0x1F", "1F"),
        ("ＡＢ１２", "AB12"),
        ("zz", ""),
        ("", ""),
        ("000", "0"),
    ],
)
def test_normalize_serial(raw, expected):
    assert normalize_serial(raw) == expected


def test_upsert_remove_and_history(town):
    linkage_import(
        municipality=town,
        path_or_file=_csv("証明書シリアル番号,宛名番号\nAB12,000000000000101\n0c,202\n"),
    )
    assert _links(town) == {"AB12": "000000000000101", "C": "202"}
    history = linkage_import(
        municipality=town,
        path_or_file=_csv(
            "宛名番号,証明書シリアル番号,異動区分\n999,ab:12,更新\n,C,失効\n1,XYZ,\n5,D,登録\n"
        ),
    )
    assert _links(town) == {"AB12": "999", "D": "5"}
    assert (history.created, history.updated, history.removed) == (1, 1, 1)
    assert history.errors == [{"line": 4, "message": "シリアル番号が16進数ではありません。"}]
    assert LinkageImport.objects.count() == 2


def test_shift_jis_and_full_replace(town):
    linkage_import(municipality=town, path_or_file=_csv("証明書シリアル番号,宛名番号\nA,1\nB,2\n"))
    history = linkage_import(
        municipality=town,
        path_or_file=_csv("証明書シリアル番号,宛名番号\nB,3\n", "cp932"),
        full_replace=True,
    )
    assert _links(town) == {"B": "3"}
    assert history.removed == 1


def test_full_replace_refuses_a_file_with_errors(town):
    linkage_import(municipality=town, path_or_file=_csv("証明書シリアル番号,宛名番号\nA,1\n"))
    with pytest.raises(LinkageRefused, match="全件置換"):
        linkage_import(
            municipality=town,
            path_or_file=_csv("証明書シリアル番号,宛名番号\nB,x\n"),
            full_replace=True,
        )
    assert _links(town) == {"A": "1"}


def test_header_is_required(town):
    with pytest.raises(LinkageRefused, match="見出し"):
        linkage_import(municipality=town, path_or_file=_csv("a,b\n1,2\n"))


def test_links_are_per_municipality(town, other_town):
    linkage_import(municipality=town, path_or_file=_csv("証明書シリアル番号,宛名番号\nA,1\n"))
    linkage_import(
        municipality=other_town,
        path_or_file=_csv("証明書シリアル番号,宛名番号\nA,2\n"),
        full_replace=True,
    )
    assert _links(town) == {"A": "1"}
    assert _links(other_town) == {"A": "2"}


def test_automatic_matching_at_import_and_after_a_later_linkage_import(town, version, make_bundle):
    linkage_import(municipality=town, path_or_file=_csv("証明書シリアル番号,宛名番号\n1,100\n"))
    bundle_import(municipality=town, path_or_file=make_bundle(2, serial=True))
    records = {r.receipt_number: r for r in ImportedApplication.objects.all()}
    assert records["R00000001"].match == ImportedApplication.Match.MATCHED
    assert records["R00000001"].resident_number == "100"
    assert records["R00000002"].match == ImportedApplication.Match.UNMATCHED

    history = linkage_import(
        municipality=town, path_or_file=_csv("証明書シリアル番号,宛名番号\n2,200\n")
    )
    assert history.matched == 1
    record = ImportedApplication.objects.get(receipt_number="R00000002")
    assert (record.match, record.resident_number) == (ImportedApplication.Match.MATCHED, "200")


def test_management_command(town, tmp_path, capsys):
    path = tmp_path / "links.csv"
    path.write_text("証明書シリアル番号,宛名番号\nA,1\n", encoding="utf-8")
    call_command("linkage_import", str(path), "--municipality", town.code)
    assert "created=1" in capsys.readouterr().out


def test_intake_command(town, version, make_bundle, tmp_path, capsys):
    path = tmp_path / "bundle.zip"
    path.write_bytes(make_bundle(2).getvalue())
    call_command("intake_import", str(path), "--municipality", town.code)
    assert "imported=2" in capsys.readouterr().out
    call_command("intake_import", str(path), "--municipality", town.code)
    assert "imported=0 duplicates=2" in capsys.readouterr().out
