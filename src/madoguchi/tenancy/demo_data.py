"""Demo text for a municipality's trust pages (the demo town's privacy notice, terms, accessibility).

Fictional and written for the demo; a municipality replaces it with its own in the admin.
"""

from __future__ import annotations

from datetime import date

from .models import Municipality, TrustPage

UPDATED_ON = date(2026, 4, 1)

TRUST_PAGES: dict[str, tuple[str, str]] = {
    TrustPage.Kind.PRIVACY: (
        "{name}は、オンライン窓口で受け取る個人情報を、{name}個人情報の保護に関する法律施行条例と"
        "個人情報の保護に関する法律に従って取り扱います。\n\n"
        "利用する目的：申請・届出・来庁予約の受付と審査、結果のお知らせ、お問い合わせへの回答のために"
        "利用します。それ以外の目的には、法令に定めがある場合を除き利用しません。\n\n"
        "提供：法令に定めがある場合や、ご本人の同意がある場合を除き、外部に提供しません。\n\n"
        "保管：入力された内容と添付ファイルは、暗号化した通信で受け取り、庁内の管理されたサーバーに"
        "保管します。保存期間を過ぎたものは消去します。\n\n"
        "開示・訂正：ご自身の個人情報の開示・訂正・利用停止を求めることができます。"
        "下のお問い合わせ先までご連絡ください。",
        "{name_en} handles the personal information it receives through these online services in line "
        "with the Act on the Protection of Personal Information and the city's ordinance.\n\n"
        "Purpose: to receive and examine applications, notifications and visit bookings, to tell you "
        "the result and to answer your questions. It is not used for anything else unless a law "
        "requires it.\n\n"
        "Disclosure to others: only where a law requires it or you have agreed.\n\n"
        "Storage: what you enter and attach is received over an encrypted connection and kept on the "
        "city's managed servers. It is erased when its retention period ends.\n\n"
        "Access and correction: you may ask to see, correct or stop the use of your personal "
        "information. Please contact the office below.",
    ),
    TrustPage.Kind.TERMS: (
        "このオンライン窓口は、{name}の手続の申請・届出と来庁予約のためのサービスです。\n\n"
        "申請の内容は、送信した時点で受け付けます。受付番号と確認用のコードは、申請の状況を確かめる"
        "ときに必要です。大切に保管してください。\n\n"
        "システムの点検や障害のため、予告なく利用を止めることがあります。急ぎの手続は窓口または"
        "電話でご相談ください。\n\n"
        "他人になりすました申請、虚偽の内容の申請、サービスの運用を妨げる行為をしないでください。",
        "These online services are for applications, notifications and visit bookings with "
        "{name_en}.\n\n"
        "An application is received when you send it. Keep the receipt number and the access code: "
        "you need them to check its status.\n\n"
        "The services may stop without notice for maintenance or faults. For urgent matters, please "
        "come to the counter or call us.\n\n"
        "Do not apply in someone else's name, give false information or disturb the operation of "
        "the services.",
    ),
    TrustPage.Kind.ACCESSIBILITY: (
        "{name}は、高齢の方や障害のある方を含め、だれもが使えるオンライン窓口を目指しています。\n\n"
        "対応規格：JIS X 8341-3:2016（高齢者・障害者等配慮設計指針―情報通信における機器，"
        "ソフトウェア及びサービス―第3部：ウェブコンテンツ）\n"
        "目標とする適合レベル：AA に準拠\n"
        "対象範囲：オンライン窓口の住民向けのページ（手続の案内、申請、来庁予約、よくある質問）\n\n"
        "試験の方法：自動チェックツール（axe-core）による全ページの検査と、スマートフォンの画面の"
        "大きさ、JavaScript を切った状態、キーボードだけでの操作による確認を、新しい機能を公開する"
        "たびに行っています。\n\n"
        "使いにくい点や読み上げられない箇所があれば、下のお問い合わせ先にお知らせください。",
        "{name_en} aims for online services that everyone can use, including older people and "
        "people with disabilities.\n\n"
        "Standard: JIS X 8341-3:2016 (equivalent to WCAG 2.0)\n"
        "Target conformance level: AA (conforming)\n"
        "Scope: the resident pages of the online services (procedure guides, applications, visit "
        "bookings, FAQ)\n\n"
        "How it is tested: every page is checked with an automated tool (axe-core), at phone size, "
        "with JavaScript turned off and with the keyboard only, each time a new feature is "
        "published.\n\n"
        "If something is hard to use or is not read out by your screen reader, please tell the "
        "office below.",
    ),
}


def trust_pages_fill(*, municipality: Municipality) -> int:
    """Give the municipality the demo pages it does not have yet; returns how many were added."""
    added = 0
    for kind, (body, body_en) in TRUST_PAGES.items():
        _page, created = TrustPage.objects.get_or_create(
            municipality=municipality,
            kind=kind,
            defaults={
                "body": body.format(name=municipality.name),
                "body_en": body_en.format(name_en=municipality.name_en or municipality.name),
                "updated_on": UPDATED_ON,
            },
        )
        added += created
    return added
