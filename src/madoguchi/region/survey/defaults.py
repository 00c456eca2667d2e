"""The default questionnaire a prefecture starts from: the three sections of the national
自治体DX推進状況調査 with its example questions. The prefecture edits, adds or removes questions;
`key` stays the same year after year so answers are compared across years."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Measured, QuestionKind, Section


@dataclass(frozen=True)
class QuestionTemplate:
    section: str
    key: str
    text: str
    kind: str
    help_text: str = ""
    unit: str = ""
    max_value: int | None = None
    measured: str = ""
    evidence_requested: bool = False
    choices: list[str] = field(default_factory=list)


YES_NO, NUMBER, PERCENT, CHOICE = (
    QuestionKind.YES_NO,
    QuestionKind.NUMBER,
    QuestionKind.PERCENT,
    QuestionKind.CHOICE,
)

DEFAULT_QUESTIONS: tuple[QuestionTemplate, ...] = (
    # 推進体制
    QuestionTemplate(
        Section.STRUCTURE, "cio", "CIO（最高情報責任者）を任命していますか。", YES_NO,
        help_text="副市区町村長などを CIO に任命していれば「はい」。",
        evidence_requested=True,
    ),
    QuestionTemplate(
        Section.STRUCTURE, "cio_adviser", "CIO補佐官等（外部の専門人材）を任用していますか。",
        YES_NO, evidence_requested=True,
    ),
    QuestionTemplate(
        Section.STRUCTURE, "policy", "DX推進の全体方針を策定していますか。", CHOICE,
        choices=["策定済み", "策定中", "未着手"], evidence_requested=True,
    ),
    QuestionTemplate(
        Section.STRUCTURE, "external_talent", "外部デジタル人材の人数", NUMBER, unit="人",
        help_text="兼業・副業、都道府県からの派遣を含みます。",
    ),
    # 業務のDX
    QuestionTemplate(
        Section.OPERATIONS, "ai", "AI（AI-OCR・議事録・チャットボット等）を導入していますか。",
        YES_NO,
    ),
    QuestionTemplate(Section.OPERATIONS, "rpa", "RPAを導入していますか。", YES_NO),
    QuestionTemplate(
        Section.OPERATIONS, "standard_systems",
        "標準準拠システムへの移行を終えた基幹業務の数（20業務のうち）", NUMBER,
        unit="業務", max_value=20,
    ),
    # 住民サービスのDX
    QuestionTemplate(
        Section.SERVICES, "online_procedures", "オンラインで申請できる手続の数", NUMBER,
        unit="手続",
    ),
    QuestionTemplate(
        Section.SERVICES, "online_share", "申請のうちオンラインで受け付けた割合", PERCENT,
        unit="%", max_value=100, measured=Measured.ONLINE_SHARE,
    ),
    QuestionTemplate(
        Section.SERVICES, "kakanai", "「書かない窓口」を導入していますか。", YES_NO,
        evidence_requested=True,
    ),
    QuestionTemplate(
        Section.SERVICES, "preinput_share", "窓口の申請のうち事前入力（QRコード）を使った割合",
        PERCENT, unit="%", max_value=100, measured=Measured.PREINPUT_SHARE,
    ),
    QuestionTemplate(
        Section.SERVICES, "cashless", "窓口の手数料をキャッシュレスで払えますか。", YES_NO,
    ),
)  # fmt: skip
