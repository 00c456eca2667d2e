"""Cost sharing among municipalities (負担金の按分), exact and deterministic (docs/cost-sharing.md).

    shareᵢ = total × (w_equal / n + w_population × f(Pᵢ) / Σf(P) + w_usage × Uᵢ / ΣU
                      + w_need × Nᵢ / ΣN),            f(P) = P^e

Everything is computed with `fractions.Fraction`, so the same agreement gives the same yen on
every machine. The one inexact step is a non-integer exponent (HARP's 逓減 curve, e = 0.585):
P^e is then irrational and is taken from `decimal` at 50 significant digits (correctly rounded
exp/ln in the standard library), which is still the same on every machine.

Rules decided here (and documented):
- A part whose denominator is 0 (every member's usage 0, say) is divided in equal shares.
- Weights must be ≥ 0 and sum to 1 (within 1e-9, then scaled to sum exactly to 1).
- Each exact share is rounded to the agreement's unit (floor / round = 四捨五入 / ceil); the
  difference to the total goes to `remainder_to` when the agreement names one, else unit by unit
  (the last piece smaller when the total is not a multiple of the unit) to the members with the
  largest fractional remainders — ties: larger population, then smaller code. When rounding gave
  out more than the total (round, ceil) it is taken back unit by unit from the members rounded
  up the most, never below 0.

Pure Python: no Django settings, no database (`madoguchi region share` runs it before Django).
"""

from __future__ import annotations

import decimal
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from madoguchi.core.municipality_code import check_digit

PARTS = ("equal", "population", "usage", "fiscal_need")
ROUNDING_MODES = ("floor", "round", "ceil")
WEIGHT_TOLERANCE = Fraction(1, 10**9)
POWER_DIGITS = 50
MAX_TOTAL = 10**15  # ¥1,000 trillion: far above any agreement, keeps every figure printable


class AgreementError(ValueError):
    """The agreement cannot be computed; the message says what to fix (in Japanese)."""


@dataclass(frozen=True)
class Member:
    code: str
    population: int
    usage: Fraction = Fraction(0)
    fiscal_need: Fraction = Fraction(0)


@dataclass(frozen=True)
class Agreement:
    total: int
    members: tuple[Member, ...]
    weights: Mapping[str, Fraction]
    population_exponent: Fraction = Fraction(1)
    rounding_unit: int = 1
    rounding_mode: str = "floor"
    remainder_to: str | None = None


@dataclass(frozen=True)
class Share:
    """One member's share: each weighted part, the exact sum, the rounded and the final yen."""

    code: str
    parts: Mapping[str, Fraction]  # yen per part (exact)
    exact: Fraction
    rounded: int
    adjustment: int  # the remainder rule's correction (final = rounded + adjustment)

    @property
    def final(self) -> int:
        return self.rounded + self.adjustment


@dataclass(frozen=True)
class Result:
    total: int
    shares: tuple[Share, ...]  # in the members' order
    equal_parts: tuple[str, ...]  # parts divided equally because their denominator was 0

    def as_dict(self) -> dict[str, Any]:
        """The command's output: {"shares": {code: yen}, "total": yen}, codes in order."""
        return {
            "shares": {s.code: s.final for s in sorted(self.shares, key=lambda s: s.code)},
            "total": self.total,
        }


# --- Computation ------------------------------------------------------------------------------


def population_factor(population: int, exponent: Fraction) -> Fraction:
    """f(P) = P^e: exact for an integer exponent, else 50 significant digits (deterministic)."""
    if population == 0:
        return Fraction(0)
    if exponent.denominator == 1:
        return Fraction(population) ** int(exponent)
    context = decimal.Context(prec=POWER_DIGITS, rounding=decimal.ROUND_HALF_EVEN)
    value = context.power(
        decimal.Decimal(population),
        context.divide(decimal.Decimal(exponent.numerator), decimal.Decimal(exponent.denominator)),
    )
    return Fraction(value)


def _round(value: Fraction, unit: int, mode: str) -> int:
    units = value / unit
    if mode == "floor":
        whole = math.floor(units)
    elif mode == "ceil":
        whole = math.ceil(units)
    else:  # 四捨五入: half a unit goes up
        whole = math.floor(units + Fraction(1, 2))
    return whole * unit


def _check(agreement: Agreement) -> dict[str, Fraction]:
    members = agreement.members
    if not members:
        raise AgreementError("構成団体（members）が1つもありません。")
    codes = [m.code for m in members]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise AgreementError(f"同じ団体コードが2回以上あります：{', '.join(duplicates)}")
    for m in members:
        _check_code(m.code, "members の code")
        if m.population < 0 or m.usage < 0 or m.fiscal_need < 0:
            raise AgreementError(f"{m.code}：人口・利用量・基準財政需要額に負の値は使えません。")
    if not 0 <= agreement.total <= MAX_TOTAL:
        raise AgreementError("総額（total）は0以上の整数（円）にしてください。")
    if agreement.rounding_unit < 1:
        raise AgreementError("端数処理の単位（rounding.unit）は1以上の整数（円）にしてください。")
    if agreement.rounding_mode not in ROUNDING_MODES:
        raise AgreementError(
            "端数処理の方法（rounding.mode）は floor（切り捨て）・round（四捨五入）・"
            "ceil（切り上げ）のどれかです。"
        )
    if not 0 < agreement.population_exponent <= 10:
        raise AgreementError("人口の指数（population_exponent）は0より大きく10以下にしてください。")
    if agreement.remainder_to is not None and agreement.remainder_to not in codes:
        raise AgreementError(
            f"端数を負担する団体（remainder_to）{agreement.remainder_to} が構成団体にありません。"
        )
    unknown = sorted(set(agreement.weights) - set(PARTS))
    if unknown:
        raise AgreementError(
            f"知らない割合の名前です：{', '.join(unknown)}（使えるのは {', '.join(PARTS)}）"
        )
    weights = {part: Fraction(agreement.weights.get(part, 0)) for part in PARTS}
    if any(w < 0 for w in weights.values()):
        raise AgreementError("割合（weights）に負の値は使えません。")
    weight_sum = sum(weights.values(), Fraction(0))
    if abs(weight_sum - 1) > WEIGHT_TOLERANCE:
        raise AgreementError(
            f"割合（weights）の合計が1になっていません（合計 {float(weight_sum):g}）。"
            "均等割・人口割・利用割・財政需要割の合計を1にしてください。"
        )
    return {part: w / weight_sum for part, w in weights.items()}


def _check_code(code: str, where: str) -> None:
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise AgreementError(f"{where}「{code}」は6桁の団体コードにしてください（例：392014）。")
    if int(code[5]) != check_digit(code[:5]):
        raise AgreementError(f"{where}「{code}」の検査数字（6桁目）が合いません。")


def compute(agreement: Agreement) -> Result:
    """Every member's share; raises AgreementError (message in Japanese) for a bad agreement."""
    weights = _check(agreement)
    members = agreement.members
    n = len(members)
    measures: dict[str, list[Fraction]] = {
        "equal": [Fraction(1)] * n,
        "population": [
            population_factor(m.population, agreement.population_exponent) for m in members
        ],
        "usage": [Fraction(m.usage) for m in members],
        "fiscal_need": [Fraction(m.fiscal_need) for m in members],
    }
    equal_parts = []
    for part, values in measures.items():
        if sum(values) == 0:
            # Nothing to divide by (no usage measured, say): that part is shared equally.
            measures[part] = [Fraction(1)] * n
            if part != "equal" and weights[part]:
                equal_parts.append(part)
    total = agreement.total
    parts_of: list[dict[str, Fraction]] = [{} for _ in members]
    for part, values in measures.items():
        denominator = sum(values, Fraction(0))
        for i, value in enumerate(values):
            parts_of[i][part] = total * weights[part] * value / denominator
    exact = [sum(p.values(), Fraction(0)) for p in parts_of]
    rounded = [_round(e, agreement.rounding_unit, agreement.rounding_mode) for e in exact]
    adjustments = _remainder(agreement, exact, rounded)
    shares = tuple(
        Share(
            code=m.code,
            parts=parts_of[i],
            exact=exact[i],
            rounded=rounded[i],
            adjustment=adjustments[i],
        )
        for i, m in enumerate(members)
    )
    if any(s.final < 0 for s in shares):
        raise AgreementError(
            "端数を負担する団体（remainder_to）の負担額が負になります。"
            "端数処理を floor にするか、remainder_to を外してください。"
        )
    return Result(total=total, shares=shares, equal_parts=tuple(equal_parts))


def _remainder(agreement: Agreement, exact: list[Fraction], rounded: list[int]) -> list[int]:
    members = agreement.members
    remainder = agreement.total - sum(rounded)
    adjustments = [0] * len(members)
    if remainder == 0:
        return adjustments
    if agreement.remainder_to is not None:
        adjustments[[m.code for m in members].index(agreement.remainder_to)] = remainder
        return adjustments
    unit = agreement.rounding_unit
    sign = 1 if remainder > 0 else -1
    # Giving: largest fractional remainder (exact − rounded) first. Taking back: the members
    # rounded up the most (smallest exact − rounded) first. Ties: larger population, smaller code.
    order = sorted(
        range(len(members)),
        key=lambda i: (
            -sign * (exact[i] - rounded[i]),
            -members[i].population,
            members[i].code,
        ),
    )
    left = abs(remainder)
    while left:
        moved = False
        for i in order:
            if not left:
                break
            piece = min(unit, left)
            if sign < 0 and rounded[i] + adjustments[i] - piece < 0:
                continue  # never below 0
            adjustments[i] += sign * piece
            left -= piece
            moved = True
        if not moved:  # pragma: no cover - cannot happen: Σ rounded ≥ total when taking back
            raise AgreementError("端数を配分できませんでした。")
    return adjustments


# --- The agreement file (AGREEMENT.json) ------------------------------------------------------


def _number(value: Any, where: str) -> Fraction:
    if isinstance(value, float) and math.isfinite(value):
        # A float from a caller that decoded JSON itself: its shortest decimal form (0.1 → 1/10).
        value = decimal.Decimal(repr(value))
    if isinstance(value, bool) or not isinstance(value, int | decimal.Decimal):
        raise AgreementError(f"{where} は数値にしてください。")
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise AgreementError(f"{where} は有限の数値にしてください。")
    return Fraction(value)


def _integer(value: Any, where: str) -> int:
    number = _number(value, where)
    if number.denominator != 1:
        raise AgreementError(f"{where} は整数にしてください。")
    return int(number)


def parse_agreement(data: Any) -> Agreement:
    """An Agreement from the decoded AGREEMENT.json (floats decoded as Decimal, exactly)."""
    if not isinstance(data, dict):
        raise AgreementError("協定ファイルは JSON のオブジェクト（{…}）にしてください。")
    for key in ("total", "weights", "members"):
        if key not in data:
            raise AgreementError(f"協定ファイルに「{key}」がありません。")
    weights_in = data["weights"]
    if not isinstance(weights_in, dict):
        raise AgreementError('weights は {"equal": …, "population": …} の形にしてください。')
    weights = {str(k): _number(v, f"weights.{k}") for k, v in weights_in.items()}
    rounding = data.get("rounding") or {}
    if not isinstance(rounding, dict):
        raise AgreementError('rounding は {"unit": 1000, "mode": "floor"} の形にしてください。')
    members_in = data["members"]
    if not isinstance(members_in, list):
        raise AgreementError("members は団体の一覧（[…]）にしてください。")
    members = []
    for i, m in enumerate(members_in, start=1):
        where = f"members の{i}番目"
        if not isinstance(m, dict) or not isinstance(m.get("code"), str):
            raise AgreementError(f"{where}：code（6桁の団体コード、文字列）がありません。")
        members.append(
            Member(
                code=m["code"],
                population=_integer(m.get("population", 0), f"{where}の population"),
                usage=_number(m.get("usage", 0), f"{where}の usage"),
                fiscal_need=_number(m.get("fiscal_need", 0), f"{where}の fiscal_need"),
            )
        )
    remainder_to = data.get("remainder_to")
    if remainder_to is not None and not isinstance(remainder_to, str):
        raise AgreementError("remainder_to は団体コード（文字列）か null にしてください。")
    mode = rounding.get("mode", "floor")
    return Agreement(
        total=_integer(data["total"], "total"),
        members=tuple(members),
        weights=weights,
        population_exponent=_number(data.get("population_exponent", 1), "population_exponent"),
        rounding_unit=_integer(rounding.get("unit", 1), "rounding.unit"),
        rounding_mode=mode if isinstance(mode, str) else "",
        remainder_to=remainder_to,
    )


def load_agreement(text: str) -> Agreement:
    """Parse AGREEMENT.json text (numbers kept exact: 0.45 is 45/100, not a binary float)."""
    try:
        data = json.loads(text, parse_float=decimal.Decimal, parse_int=int)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise AgreementError(f"JSON として読めません：{exc}") from exc
    return parse_agreement(data)


def agreement_json(agreement: Agreement) -> dict[str, Any]:
    """The AGREEMENT.json form of an agreement (for `madoguchi region share` checks)."""

    def num(value: Fraction) -> int | float:
        return int(value) if value.denominator == 1 else float(value)

    return {
        "total": agreement.total,
        "weights": {part: num(Fraction(agreement.weights.get(part, 0))) for part in PARTS},
        "population_exponent": num(agreement.population_exponent),
        "rounding": {"unit": agreement.rounding_unit, "mode": agreement.rounding_mode},
        "remainder_to": agreement.remainder_to,
        "members": [
            {
                "code": m.code,
                "population": m.population,
                "usage": num(m.usage),
                "fiscal_need": num(m.fiscal_need),
            }
            for m in agreement.members
        ],
    }


def share_command(argv: Sequence[str]) -> int:
    """`madoguchi region share --agreement AGREEMENT.json`: the shares as JSON on stdout."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="madoguchi region share",
        description="協定ファイル（AGREEMENT.json）から各団体の負担額を計算します。",
    )
    parser.add_argument("--agreement", required=True, help="協定ファイル（JSON）")
    args = parser.parse_args(list(argv))  # bad arguments: argparse exits 2 with its message
    try:
        with open(args.agreement, encoding="utf-8-sig") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"madoguchi region share: 協定ファイルを読めません：{exc}", file=sys.stderr)
        return 2
    try:
        result = compute(load_agreement(text))
    except AgreementError as exc:
        print(f"madoguchi region share: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 0
