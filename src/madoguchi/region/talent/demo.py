"""A realistic talent pool for the demo and the matching tests: six specialists of the four
roles spread over the prefecture, and three needs like those small municipalities post
(書かない窓口, 標準化, DX方針). Idempotent by name."""

from __future__ import annotations

from datetime import date

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality, Prefecture

from ..models import Need, Specialist
from . import services

# name, role, skills, affiliation, base index, covers (indexes), remote, days, summary
SPECIALISTS = [
    ("青木 さくら", "service_designer", ["ux", "kakanai", "online", "bpr"], "フリーランス",
     0, [0, 1], True, 4, "県内で書かない窓口の導入を3団体支援。窓口の観察と住民調査が得意。"),
    ("石田 健", "project_manager", ["standard", "procurement", "cloud"], "元SIer（兼業）",
     1, [1, 2], True, 3, "基幹業務システム標準化の移行計画づくりと調達支援を5年。"),
    ("上野 誠", "producer", ["strategy", "training", "data"], "大学（客員）",
     None, [], True, 2, "CIO補佐官の経験。全体方針づくりと管理職研修。"),
    ("江藤 美咲", "engineer", ["ai_rpa", "data", "online"], "県内IT企業",
     2, [2], False, 6, "RPA・AI-OCR の導入と職員の内製化支援。"),
    ("大森 拓也", "service_designer", ["ux", "online"], "デザイン事務所",
     None, [], True, 1, "電子申請フォームの改善。オンライン中心。"),
    ("加藤 由紀", "project_manager", ["bpr", "kakanai", "security"], "元市役所職員",
     0, [0], False, 2, "窓口業務の改善と情報セキュリティポリシーの見直し。"),
]  # fmt: skip

# town index, title, role, skills, description, days, remote, starts in days
NEEDS = [
    (1, "書かない窓口を来年度から始めたい", "service_designer", ["kakanai", "ux", "bpr"],
     "転入・転出の窓口で住民が書く申請書をなくしたい。窓口は2人で、業務の流れの見直しから"
     "一緒に考えてくれる人を求めます。", 2, False),
    (2, "標準準拠システムへの移行計画", "project_manager", ["standard", "procurement"],
     "20業務の移行の順番と、ベンダーとの調整の進め方を相談したい。", 2, True),
    (0, "DX推進の全体方針をつくる", "producer", ["strategy", "training"],
     "全体方針がまだなく、管理職向けの研修も含めて支援してほしい。", 1, True),
]  # fmt: skip


def load(*, prefecture: Prefecture, towns: list[Municipality], actor: StaffUser | None) -> None:
    """Create the pool and the needs once (towns: at least three of the prefecture)."""
    if Specialist.objects.filter(prefecture=prefecture).exists():
        return
    for name, role, skills, affiliation, base, covers, remote, days, summary in SPECIALISTS:
        services.specialist_save(
            prefecture=prefecture,
            specialist=None,
            covers=[towns[i] for i in covers],
            name=name,
            role=role,
            skills=skills,
            affiliation=affiliation,
            summary=summary,
            base=towns[base] if base is not None else None,
            remote_ok=remote,
            days_per_month=days,
            available_from=date(2026, 4, 1),
            email=f"talent{len(name)}@example.jp",
            phone="090-0000-0000",
        )
    for town, title, role, skills, description, days, remote in NEEDS:
        if not Need.objects.filter(municipality=towns[town], title=title).exists():
            services.need_create(
                municipality=towns[town],
                actor=actor,
                title=title,
                role=role,
                skills=skills,
                description=description,
                days_per_month=days,
                remote_ok=remote,
            )
