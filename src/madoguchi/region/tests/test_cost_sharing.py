"""Cost sharing: properties (hypothesis), the worked examples of docs/cost-sharing.md, the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from madoguchi.core.municipality_code import with_check_digit
from madoguchi.region.cost_sharing import (
    PARTS,
    Agreement,
    AgreementError,
    Member,
    agreement_json,
    compute,
    load_agreement,
)

SRC = Path(__file__).resolve().parents[3]

# --- Strategies ---------------------------------------------------------------------------------

codes = st.integers(min_value=1000, max_value=47999).map(lambda n: with_check_digit(f"{n:05d}"))
members_st = st.lists(
    st.builds(
        Member,
        code=codes,
        population=st.integers(min_value=0, max_value=4_000_000),
        usage=st.fractions(min_value=0, max_value=100_000, max_denominator=100),
        fiscal_need=st.integers(min_value=0, max_value=10**10).map(Fraction),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda m: m.code,
)


@st.composite
def weights_st(draw: st.DrawFn) -> dict[str, Fraction]:
    raw = draw(st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4))
    assume(sum(raw) > 0)
    return {part: Fraction(r, sum(raw)) for part, r in zip(PARTS, raw, strict=True)}


@st.composite
def agreements(draw: st.DrawFn, *, remainder: bool = True) -> Agreement:
    members = draw(members_st)
    mode = draw(st.sampled_from(["floor", "round", "ceil"]))
    remainder_to = None
    if remainder and mode == "floor" and draw(st.booleans()):
        remainder_to = draw(st.sampled_from(members)).code
    return Agreement(
        total=draw(st.integers(min_value=0, max_value=10**11)),
        members=tuple(members),
        weights=draw(weights_st()),
        population_exponent=draw(st.sampled_from([Fraction(1), Fraction(585, 1000)])),
        rounding_unit=draw(st.sampled_from([1, 10, 100, 1000, 10_000])),
        rounding_mode=mode,
        remainder_to=remainder_to,
    )


def finals(agreement: Agreement) -> dict[str, int]:
    return {s.code: s.final for s in compute(agreement).shares}


# --- Properties ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(agreements())
def test_shares_are_non_negative_and_sum_exactly_to_the_total(agreement):
    result = compute(agreement)
    assert all(s.final >= 0 for s in result.shares)
    assert sum(s.final for s in result.shares) == agreement.total
    # Every share is within one unit of its exact value, unless the remainder went to one member.
    if agreement.remainder_to is None:
        for s in result.shares:
            assert abs(s.final - s.exact) < 2 * agreement.rounding_unit


@settings(max_examples=200, deadline=None)
@given(agreements(), st.randoms(use_true_random=False))
def test_shares_do_not_depend_on_the_order_of_members(agreement, random):
    shuffled = list(agreement.members)
    random.shuffle(shuffled)
    other = Agreement(**{**agreement.__dict__, "members": tuple(shuffled)})
    assert finals(other) == finals(agreement)


@settings(max_examples=200, deadline=None)
@given(agreements(remainder=False), st.integers(min_value=2, max_value=5))
def test_equal_members_pay_equal_shares_up_to_one_remainder_piece(agreement, copies):
    twin = agreement.members[0]
    clones = tuple(
        Member(
            code=with_check_digit(f"{48000 + i:05d}"[:5]),
            population=twin.population,
            usage=twin.usage,
            fiscal_need=twin.fiscal_need,
        )
        for i in range(copies)
    )
    # Codes 48xxx do not exist as prefectures, but the check digit is all the calculator checks.
    bigger = Agreement(**{**agreement.__dict__, "members": agreement.members + clones})
    result = compute(bigger)
    equal = [s for s in result.shares if s.code == twin.code or s.code in {c.code for c in clones}]
    assert len({s.exact for s in equal}) == 1 and len({s.rounded for s in equal}) == 1
    paid = sorted(s.final for s in equal)
    assert paid[-1] - paid[0] <= bigger.rounding_unit


@settings(max_examples=200, deadline=None)
@given(agreements(remainder=False), st.sampled_from(PARTS))
def test_a_weight_of_one_reproduces_that_part_alone(agreement, part):
    only = Agreement(**{**agreement.__dict__, "weights": {p: Fraction(p == part) for p in PARTS}})
    result = compute(only)
    measure = {
        "equal": lambda m: Fraction(1),
        "population": lambda m: (
            Fraction(m.population) ** 1 if only.population_exponent == 1 else None
        ),
        "usage": lambda m: m.usage,
        "fiscal_need": lambda m: m.fiscal_need,
    }[part]
    for share in result.shares:
        for other in PARTS:
            if other != part:
                assert share.parts[other] == 0
    values = [measure(m) for m in only.members]
    if None in values:
        return  # P^0.585: checked in test_harp_doubling_population_costs_one_and_a_half
    if sum(values) == 0:
        values = [Fraction(1)] * len(values)  # the documented rule: shared equally
    for m, share, value in zip(only.members, result.shares, values, strict=True):
        assert share.exact == only.total * value / sum(values), m.code


# --- Worked examples (docs/cost-sharing.md) -----------------------------------------------------


def test_shibukawa_six_ninety_four_exact_without_rounding():
    """渋川: 均等割 6 %, 人口割 94 %; every share comes out in whole yen."""
    result = compute(
        Agreement(
            total=11_000_000,
            weights={"equal": Fraction(6, 100), "population": Fraction(94, 100)},
            members=(
                Member("102083", 74_000),  # 渋川市
                Member("103446", 14_000),  # 榛東村
                Member("103454", 22_000),  # 吉岡町
            ),
        )
    )
    assert result.as_dict()["shares"] == {
        "102083": 220_000 + 6_956_000,
        "103446": 220_000 + 1_316_000,
        "103454": 220_000 + 2_068_000,
    }


def test_kushimoto_kozagawa_remainder_to_the_largest_fraction():
    """串本・古座川: 35 / 15 / 50, ¥1,000 truncated; ¥1,000 left goes to the larger fraction."""
    agreement = load_agreement(
        json.dumps(
            {
                "total": 10_000_000,
                "weights": {"equal": 0.35, "population": 0.15, "usage": 0.5, "fiscal_need": 0},
                "population_exponent": 1.0,
                "rounding": {"unit": 1000, "mode": "floor"},
                "remainder_to": None,
                "members": [
                    {"code": "304280", "population": 15_000, "usage": 800, "fiscal_need": 0},
                    {"code": "304247", "population": 2_500, "usage": 200, "fiscal_need": 0},
                ],
            }
        )
    )
    result = compute(agreement)
    kushimoto, kozagawa = result.shares
    assert kushimoto.exact == 1_750_000 + Fraction(1_500_000 * 15_000, 17_500) + 4_000_000
    assert (kushimoto.rounded, kozagawa.rounded) == (7_035_000, 2_964_000)
    assert (kushimoto.final, kozagawa.final) == (7_036_000, 2_964_000)
    # Named in the agreement instead: the other member takes the ¥1,000.
    named = compute(Agreement(**{**agreement.__dict__, "remainder_to": "304247"}))
    assert [s.final for s in named.shares] == [7_035_000, 2_965_000]


def test_harp_doubling_population_costs_one_and_a_half():
    """北海道 HARP: population share ∝ P^0.585, so twice the people pay 1.5× (within 0.01 %)."""
    result = compute(
        Agreement(
            total=100_000_000,
            weights={"population": Fraction(1)},
            population_exponent=Fraction(585, 1000),
            rounding_unit=1000,
            members=(Member("011002", 10_000), Member("012025", 20_000), Member("012033", 40_000)),
        )
    )
    a, b, c = (s.exact for s in result.shares)
    assert abs(b / a - Fraction(3, 2)) < Fraction(1, 10_000)
    assert abs(c / b - Fraction(3, 2)) < Fraction(1, 10_000)
    assert sum(s.final for s in result.shares) == 100_000_000
    # The figures of docs/cost-sharing.md.
    assert [s.final for s in result.shares] == [21_052_000, 31_579_000, 47_369_000]


HATA = {
    "total": 48_000_000,
    "weights": {"equal": 0.1, "population": 0.45, "usage": 0.45, "fiscal_need": 0},
    "population_exponent": 1.0,
    "rounding": {"unit": 1000, "mode": "floor"},
    "remainder_to": None,
    "members": [
        {"code": "392081", "population": 19_000, "usage": 2_100, "fiscal_need": 0},  # 宿毛市
        {"code": "392090", "population": 12_000, "usage": 1_500, "fiscal_need": 0},  # 土佐清水市
        {"code": "392103", "population": 32_000, "usage": 4_300, "fiscal_need": 0},  # 四万十市
        {"code": "394246", "population": 4_500, "usage": 400, "fiscal_need": 0},  # 大月町
        {"code": "394271", "population": 1_400, "usage": 90, "fiscal_need": 0},  # 三原村
        {"code": "394289", "population": 10_000, "usage": 1_100, "fiscal_need": 0},  # 黒潮町
    ],
}
HATA_SHARES = {
    "392081": 10_781_000,
    "392090": 7_499_000,
    "392103": 19_348_000,
    "394246": 2_943_000,
    "394271": 1_388_000,
    "394289": 6_041_000,
}


def test_hata_ten_forty_five_forty_five():
    """幡多広域: 均等割 10 %, 人口割 45 %, 利用割 45 % (the figures printed in the docs)."""
    result = compute(load_agreement(json.dumps(HATA)))
    assert result.as_dict() == {"shares": HATA_SHARES, "total": 48_000_000}


def test_a_part_with_nothing_measured_is_shared_equally():
    result = compute(
        Agreement(
            total=3_000,
            weights={"usage": Fraction(1)},
            members=(
                Member("392081", 10, Fraction(0)),
                Member("392090", 20, Fraction(0)),
                Member("392103", 30, Fraction(0)),
            ),
        )
    )
    assert [s.final for s in result.shares] == [1_000, 1_000, 1_000]
    assert result.equal_parts == ("usage",)


def test_round_and_ceil_give_back_what_was_rounded_up():
    members = (Member("392081", 1), Member("392090", 1), Member("392103", 1))
    ceil = compute(
        Agreement(
            total=1_000,
            weights={"equal": Fraction(1)},
            members=members,
            rounding_unit=100,
            rounding_mode="ceil",
        )
    )
    assert [s.rounded for s in ceil.shares] == [400, 400, 400]
    # Taken back from the members rounded up the most; all tie, so by smaller code.
    assert [s.final for s in ceil.shares] == [300, 300, 400]
    half = compute(
        Agreement(
            total=1_000,
            weights={"equal": Fraction(1)},
            members=members[:2],
            rounding_unit=1_000,
            rounding_mode="round",
        )
    )
    assert sorted(s.final for s in half.shares) == [0, 1_000]


def test_a_total_that_is_not_a_multiple_of_the_unit_still_sums_exactly():
    result = compute(
        Agreement(
            total=1_234_567,
            weights={"equal": Fraction(1)},
            members=(Member("392081", 5), Member("392090", 9)),
            rounding_unit=1000,
        )
    )
    # 617,283.5 each → 617,000 each; ¥567 left: ¥567 to the larger population (the tie rule).
    assert [s.final for s in result.shares] == [617_000, 617_567]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": {"equal": 0.5, "population": 0.4}}, "合計が1"),
        ({"weights": {"equal": 1, "people": 0}}, "知らない割合"),
        ({"weights": {"equal": 1.5, "population": -0.5}}, "負の値"),
        ({"members": []}, "1つもありません"),
        ({"members": [{"code": "392081", "population": 1}] * 2}, "2回以上"),
        ({"members": [{"code": "392082", "population": 1}]}, "検査数字"),
        ({"members": [{"code": "39208", "population": 1}]}, "6桁"),
        ({"members": [{"code": "392081", "population": 1.5}]}, "整数"),
        ({"members": [{"code": "392081", "population": 1, "usage": "x"}]}, "数値"),
        ({"rounding": {"unit": 0, "mode": "floor"}}, "単位"),
        ({"rounding": {"unit": 1000, "mode": "truncate"}}, "floor"),
        ({"remainder_to": "131016"}, "構成団体にありません"),
        ({"total": -1}, "0以上"),
        ({"population_exponent": 0}, "指数"),
    ],
)
def test_bad_agreements_say_what_to_fix(change, message):
    with pytest.raises(AgreementError, match=message):
        compute(load_agreement(json.dumps({**HATA, **change})))


def test_agreement_json_round_trip():
    agreement = load_agreement(json.dumps(HATA))
    again = load_agreement(json.dumps(agreement_json(agreement)))
    assert finals(again) == finals(agreement)


# --- The command (subprocess: no settings, no database, no SECRET_KEY) -------------------------


def _run(tmp_path: Path, content: str, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "agreement.json"
    path.write_text(content, encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(SRC)}
    args = [sys.executable, "-m", "madoguchi.cli", "region", "share", *extra]
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        args if extra else [*args, "--agreement", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_command_prints_the_shares_as_json(tmp_path):
    done = _run(tmp_path, json.dumps(HATA))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"shares": HATA_SHARES, "total": 48_000_000}
    assert done.stdout.count("\n") == 1 and done.stderr == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "JSON として読めません"),
        (json.dumps({**HATA, "weights": {"equal": 0.7}}), "合計が1"),
        (json.dumps([1, 2]), "オブジェクト"),
    ],
)
def test_command_bad_input_exits_2_with_a_message(tmp_path, content, message):
    done = _run(tmp_path, content)
    assert done.returncode == 2
    assert message in done.stderr and done.stdout == ""


def test_command_missing_file_or_argument_exits_2(tmp_path):
    done = _run(tmp_path, "", "--agreement", str(tmp_path / "none.json"))
    assert done.returncode == 2 and "読めません" in done.stderr
    done = _run(tmp_path, "", "--nothing")
    assert done.returncode == 2 and "--agreement" in done.stderr
