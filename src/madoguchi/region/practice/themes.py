"""The words each theme is also searched by: what a municipality's staff would type when they
look for a case of that theme, not the theme's official name. Data, one line per theme."""

from __future__ import annotations

from ..models import PracticeTheme

THEME_WORDS: dict[str, str] = {
    PracticeTheme.STRUCTURE: "CIO CIO補佐官 全体方針 推進計画 推進本部 体制 組織 庁内 首長",
    PracticeTheme.COUNTER: "書かない窓口 ワンストップ 窓口 申請書 記入 待ち時間 来庁 ライフイベント",
    PracticeTheme.AI_RPA: "AI RPA チャットボット 議事録 文字起こし AI-OCR 自動化 入力作業 生成AI",
    PracticeTheme.ONLINE: "オンライン 電子申請 スマホ スマートフォン 24時間 来庁不要 ペーパーレス",
    PracticeTheme.DIVIDE: "高齢者 スマホ教室 デジタル活用支援 相談会 使い方 誰一人取り残さない",
    PracticeTheme.CASHLESS: "キャッシュレス 電子決済 QRコード決済 クレジットカード 手数料 現金",
    PracticeTheme.BPR: "業務改善 BPR 業務量調査 棚卸し 見直し 時間短縮 残業",
    PracticeTheme.TALENT: "研修 人材育成 職員 リテラシー 外部人材 デジタル人材",
    PracticeTheme.DATA: "データ 可視化 ダッシュボード オープンデータ EBPM 分析",
    PracticeTheme.JOINT: "共同調達 共同利用 標準化 ガバメントクラウド 広域 一部事務組合",
}
