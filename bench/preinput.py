"""madoguchi bench preinput — payload sizes of the standard library's procedures as QR codes.

Fills every procedure of src/madoguchi/procedures/library/*.json with realistic answers (a
3-person household wherever a form has a repeating group: the moving and child procedures),
cleans them with the form's own validation (what the pre-input carries), then seals them as the
payload mode does and reports per procedure: compact JSON bytes, raw deflate, zlib, lzma (for
comparison), the sealed message, its base32 text, the number of QR codes and the largest QR
version at error-correction level M (and the version one code would need unsplit).
Last line: largest_procedure=… json_bytes=… message_bytes=… codes=… qr_version=… single_code_version=…
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import sys
import zlib
from datetime import date, timedelta
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings.test")
    import django

    django.setup()


PEOPLE = [
    ("佐々木", "健太郎", "ササキ", "ケンタロウ", date(1986, 7, 14), "male", "世帯主"),
    ("佐々木", "美咲", "ササキ", "ミサキ", date(1989, 11, 3), "female", "妻"),
    ("佐々木", "陽向", "ササキ", "ヒナタ", date(2021, 5, 22), "male", "子"),
]


def _raw(field: Any, today: date, person: int = 0) -> Any:
    from madoguchi.core.wareki import format_wareki
    from madoguchi.procedures.formdef.definition import resolve_date_bound

    family, given, family_kana, given_kana, born, sex, relation = PEOPLE[person % len(PEOPLE)]
    t = field.type
    if t == "name":
        return {
            "family": family,
            "given": given,
            "family_kana": family_kana,
            "given_kana": given_kana,
        }
    if t == "date":
        low = resolve_date_bound(field.min_date, today) if field.min_date else None
        high = resolve_date_bound(field.max_date, today) if field.max_date else None
        d = (
            born
            if field.key in {"birth_date", "child_birth_date"} or "birth" in field.key
            else today
        )
        if low and d < low:
            d = low + timedelta(days=1)
        if high and d > high:
            d = high
        return format_wareki(d)
    if t == "postal_code":
        return "4200853"
    if t == "address":
        return {
            "prefecture": "静岡県",
            "city": "静岡市葵区",
            "street": "追手町９番６号",
            "building": "コーポ駿府３０２",
        }
    if t == "phone":
        return "09012345678"
    if t == "email":
        return "kentaro.sasaki@example.jp"
    if t == "choice":
        values = [o.value for o in field.options]
        return sex if sex in values else values[0]
    if t == "multi_choice":
        return [o.value for o in field.options[:2]]
    if t == "checkbox":
        return True
    if t == "number":
        return str(field.min_value if field.min_value is not None else 2)
    if t == "text":
        if field.format == "digits":
            return "1" * (field.min_length or 7)
        if field.format == "katakana":
            return f"{family_kana} {given_kana}"
        if "relation" in field.key:
            return relation
        return "静岡市立駿府保育園"[: field.max_length or 40]
    if t == "long_text":
        return "平日の夕方は仕事のため、午前中に連絡をお願いします。"
    if t == "group":
        count = min(max(field.min_items, 3), field.max_items or 3)
        return [
            {
                sub.key: _raw(sub, today, i)
                for sub in field.fields
                if sub.holds_value and sub.type != "file"
            }
            for i in range(count)
        ]
    return None


def filled(definition: Any, today: date) -> dict[str, Any]:
    from madoguchi.procedures.formdef import validate_answers

    raw = {
        f.key: _raw(f, today) for f in definition.top_fields() if f.holds_value and f.type != "file"
    }
    cleaned, _errors = validate_answers(definition, raw, today=today)
    # Keep what the validation accepted; a field it refused (a rule the filler does not know)
    # stays raw so the size is not understated.
    return {**raw, **cleaned}


def measure(procedure: dict[str, Any], today: date) -> dict[str, Any]:
    from madoguchi.counter.preinput import codec, qr
    from madoguchi.procedures.formdef import parse_definition

    definition = parse_definition(procedure["form"])
    answers = filled(definition, today)
    text = json.dumps(answers, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    header = codec.Header("229997", procedure["slug"], 1, 1_767_000_000, 1_768_209_600)
    message = codec.seal(header, answers, key=os.urandom(32))
    parts = codec.split(message)
    unsplit = f"{codec.PART_PREFIX}.00000000.1.1.{codec.text_encode(message)}"
    return {
        "slug": procedure["slug"],
        "json": len(text),
        "deflate": len(codec.compress(answers)),
        "zlib": len(zlib.compress(text, 9)),
        "lzma": len(
            lzma.compress(
                text, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 9}]
            )
        ),
        "message": len(message),
        "chars": len(codec.text_encode(message)),
        "codes": len(parts),
        "version": max(qr.version(p) for p in parts),
        "single": qr.version(unsplit),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench preinput")
    parser.parse_args(argv)
    _setup()
    from madoguchi.procedures.library import load_library

    today = date(2026, 4, 1)
    rows = [measure(p, today) for p in load_library()]
    print(
        f"{'procedure':38} {'json':>5} {'deflate':>7} {'zlib':>5} {'lzma':>5} {'message':>7} {'chars':>5} {'codes':>5} {'ver':>4} {'1-code':>6}"
    )
    for r in rows:
        print(
            f"{r['slug']:38} {r['json']:5} {r['deflate']:7} {r['zlib']:5} {r['lzma']:5} "
            f"{r['message']:7} {r['chars']:5} {r['codes']:5} {r['version']:4} {r['single']:6}"
        )
    largest = max(rows, key=lambda r: r["message"])
    print(
        f"largest_procedure={largest['slug']} json_bytes={largest['json']} "
        f"message_bytes={largest['message']} codes={largest['codes']} "
        f"qr_version={largest['version']} single_code_version={largest['single']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
