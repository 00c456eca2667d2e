"""A demo of the good-practice library: eight example cases of the demo prefecture, written
from public announcements where a municipality is named (志摩市, 北見市, つくば市) and invented
for the demo towns otherwise; every one is marked as an example (`is_example`). Two towns have
taken cases up, one with its result."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality

from ..models import EffectPeriod
from . import selectors, services

SOURCE_NOTE = "数値は公表資料をもとにした概数です。参考にするときは原典を確かめてください。"

# town index, title, themes, background, summary, keywords, (label, value, unit, period), public
CASES = [
    (
        0,
        "【例】スマートフォンの事前入力で窓口の記入をなくす（志摩市の公表事例より）",
        ["counter", "online"],
        "来庁者が窓口で同じことを何枚もの申請書に書き、職員も転記していた。",
        "住民が来庁前にスマートフォンで申請内容を入力し、窓口では表示されたQRコードを読み取って"
        "申請書を印刷する。住民は署名するだけで、職員の聞き取りと転記がなくなった。" + SOURCE_NOTE,
        "事前入力 QRコード スマートフォン 来庁前 転記",
        ("窓口の職員の作業時間の削減", "1950", "時間", EffectPeriod.PER_YEAR),
        True,
    ),
    (
        1,
        "【例】職員が聞き取って作る「書かない窓口」（北見市の取り組みより）",
        ["counter", "bpr"],
        "転入・転居のたびに住民が複数の窓口を回り、同じ内容を書いていた。",
        "窓口の職員が住民から聞き取り、窓口支援システムで申請書を作って印刷する。住民は内容を"
        "確かめて署名するだけ。関係する手続を一つの窓口でまとめて受け付ける。" + SOURCE_NOTE,
        "書かない窓口 聞き取り ワンストップ 転入 転居 引っ越し",
        ("住民が書く申請書（住所異動の主な手続）", "0", "枚", EffectPeriod.PER_CASE),
        True,
    ),
    (
        0,
        "【例】RPAで市民税の入力作業を自動化（つくば市の共同研究より）",
        ["ai_rpa", "bpr"],
        "市民税の申告書の入力と照合に、繁忙期に多くの時間がかかっていた。",
        "定型の入力・照合作業をRPAのシナリオにし、職員は確認と例外の処理に専念した。" + SOURCE_NOTE,
        "RPA 自動化 入力作業 市民税 税務 繁忙期 残業",
        ("対象業務の作業時間の削減", "80", "%", EffectPeriod.PER_YEAR),
        True,
    ),
    (
        2,
        "【例】公民館でのスマホ相談会",
        ["divide"],
        "オンライン申請を始めても、高齢の住民から「使い方がわからない」という声が多かった。",
        "月2回、公民館で地域の支援員とスマートフォンの相談会を開き、マイナンバーカードの"
        "読み取りやオンライン申請を一緒に試せるようにした。",
        "スマホ 高齢者 相談会 使い方 公民館 マイナンバーカード",
        ("相談会の参加者", "180", "人", EffectPeriod.PER_YEAR),
        False,
    ),
    (
        1,
        "【例】窓口の来庁予約で待ち時間を短くする",
        ["counter", "online"],
        "年度末と4月に窓口が混み、1時間以上待つ日があった。",
        "転入・転出の手続に来庁予約を設け、予約の人は時間どおりに呼び出す。空いている時間を"
        "ホームページで案内した。",
        "予約 待ち時間 混雑 繁忙期 呼び出し",
        ("繁忙期の待ち時間（中央値）", "12", "分", EffectPeriod.PER_CASE),
        False,
    ),
    (
        1,
        "【例】窓口手数料のキャッシュレス決済",
        ["cashless"],
        "証明書の手数料が現金だけで、釣り銭の準備と締めの作業が毎日あった。",
        "証明書の窓口でクレジットカード・電子マネー・QRコード決済を使えるようにした。",
        "キャッシュレス 手数料 現金 釣り銭 電子決済",
        ("現金で払われた件数の減少", "35", "%", EffectPeriod.PER_YEAR),
        False,
    ),
    (
        2,
        "【例】近隣町村と共同でCIO補佐官を任用",
        ["structure", "talent", "joint"],
        "村に情報担当の専任職員がおらず、DXの計画を作れなかった。",
        "県の人材プールから、近隣の町村と共同で外部のCIO補佐官を任用し、月4日の支援を受けて"
        "DX推進の全体方針を作った。",
        "CIO補佐官 外部人材 共同 全体方針 専任がいない 一人情シス",
        ("外部人材の支援日数", "4", "日", EffectPeriod.PER_MONTH),
        False,
    ),
    (
        0,
        "【例】AI議事録で会議録の作成時間を減らす",
        ["ai_rpa"],
        "会議録の文字起こしに、会議1時間あたり数時間かかっていた。",
        "AI議事録の仕組みを県と市町村で共同で使い、職員は文字起こしの確認と要約だけをする。",
        "AI 議事録 文字起こし 会議録 音声",
        ("会議録1件あたりの作成時間の削減", "60", "%", EffectPeriod.PER_CASE),
        False,
    ),
]


def load(*, towns: list[Municipality], actor: StaffUser) -> None:
    """Idempotent: does nothing once the prefecture has example cases. `actor`: the
    prefecture's DX team member who publishes them."""
    if selectors.has_examples(prefecture_id=towns[0].prefecture_id):
        return
    today = timezone.localdate()
    made = []
    for index, title, themes, background, summary, keywords, effect, public in CASES:
        case = services.case_save(
            municipality=towns[index % len(towns)],
            actor=None,
            example=True,
            title=title,
            themes=themes,
            background=background,
            summary=summary,
            keywords=keywords,
            started_on=date(today.year - 2, 4, 1),
        )
        label, value, unit, period = effect
        services.effect_add(case=case, label=label, value=Decimal(value), unit=unit, period=period)
        services.case_submit(case=case)
        services.case_review(case=case, actor=actor, publish=True, is_public=public, note="")
        made.append(case)
    if len(towns) > 1:
        adoption = services.adoption_start(
            case=made[0], municipality=towns[1], actor=actor, today=today - timedelta(days=200)
        )
        services.adoption_report(
            adoption=adoption,
            label="窓口の記入にかかる時間の短縮",
            value=Decimal(3),
            unit="分",
            period=EffectPeriod.PER_CASE,
            on=today - timedelta(days=20),
            note="【例】住民票と印鑑登録の窓口で計測。",
        )
    if len(towns) > 2:
        services.adoption_start(
            case=made[1], municipality=towns[2], actor=actor, today=today - timedelta(days=60)
        )
