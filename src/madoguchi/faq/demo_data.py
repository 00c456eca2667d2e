"""Sample FAQs for the fictional demo town (written for this project; not from any real city).

Each tuple: category, question, alternative phrasings, keywords, answer (Markdown),
related procedure slugs, contact.
"""

from __future__ import annotations

DEMO_FAQS: list[tuple[str, str, list[str], str, str, list[str], str]] = [
    (
        "戸籍・住民票",
        "住民票の写しはどこで取れますか",
        ["住民票がほしい", "住民票を取りたい"],
        "住民票 写し 証明書",
        "市民課の窓口（平日 8:30〜17:15）で請求できます。マイナンバーカードがあれば、"
        "全国のコンビニでも取得できます。\n\n**必要なもの**：本人確認書類（運転免許証など）",
        ["residence-certificate"],
        "市民課 住民記録係 0559-00-0001",
    ),
    (
        "戸籍・住民票",
        "印鑑登録証明書を取るには何が必要ですか",
        ["印鑑証明がほしい"],
        "印鑑証明 印鑑登録",
        "印鑑登録証（カード）を窓口にお持ちください。マイナンバーカードでコンビニ交付も利用できます。",
        ["seal-certificate"],
        "市民課 住民記録係 0559-00-0001",
    ),
    (
        "住まい・引っ越し",
        "市外へ引っ越すときの手続きを教えてください",
        ["転出届はどうすればいいですか", "引っ越しの届出"],
        "引っ越し 転出 転出届",
        "引っ越しの前に**転出届**を出してください。オンラインでも届け出できます。"
        "新しい住所の市区町村には、引っ越してから14日以内に転入届を出します。",
        ["moving-out"],
        "市民課 住民記録係 0559-00-0001",
    ),
    (
        "ごみ・環境",
        "粗大ごみはどうやって出せばいいですか",
        ["大きなごみの捨て方", "家具を捨てたい"],
        "粗大ごみ 家具 収集",
        "粗大ごみは事前申込制です。オンラインで申し込み、指定の日に玄関先へ出してください。"
        "手数料は品目ごとに異なります。",
        ["bulky-waste"],
        "環境課 0559-00-0020",
    ),
    (
        "ごみ・環境",
        "ごみの分別がわかりません",
        ["燃えるごみと燃えないごみの違い"],
        "分別 可燃 不燃 資源",
        "ごみは「燃やすごみ」「燃やさないごみ」「資源物」に分けます。詳しくは各家庭に配布している"
        "ごみカレンダーをご覧ください。",
        [],
        "環境課 0559-00-0020",
    ),
    (
        "子育て",
        "児童手当はいつ支給されますか",
        ["児童手当の振込日"],
        "児童手当 支給日 振込",
        "児童手当は偶数月（2月・4月・6月・8月・10月・12月）に、前月までの2か月分を振り込みます。",
        ["child-allowance"],
        "こども課 0559-00-0030",
    ),
    (
        "子育て",
        "保育園に入るにはどうすればいいですか",
        ["保育所の申し込み", "子どもを保育園に預けたい"],
        "保育園 保育所 入園 申込",
        "保育園の入園申込は、こども課の窓口またはオンラインで受け付けています。"
        "4月入園は前年の秋に一斉受付をします。",
        ["nursery-admission"],
        "こども課 0559-00-0030",
    ),
    (
        "子育て",
        "妊娠したらまず何をすればいいですか",
        ["妊娠届はどこに出しますか", "母子手帳をもらいたい"],
        "妊娠 母子健康手帳 妊娠届",
        "妊娠届を出すと、母子健康手帳をお渡しします。オンラインでも届け出できます。",
        ["pregnancy-notification"],
        "健康づくり課 0559-00-0040",
    ),
    (
        "ペット・動物",
        "犬を飼い始めたら届出は必要ですか",
        ["犬の登録", "子犬を飼った"],
        "犬 登録 狂犬病 予防注射",
        "生後91日以上の犬は、飼い始めてから30日以内に登録が必要です。毎年の狂犬病予防注射も受けてください。",
        ["dog-registration"],
        "環境課 0559-00-0020",
    ),
    (
        "介護",
        "介護保険のサービスを使うにはどうすればいいですか",
        ["要介護認定の申請"],
        "介護保険 要介護認定 申請",
        "まず要介護（要支援）認定の申請をしてください。ご家族やケアマネジャーが代わりに申請することもできます。",
        ["long-term-care-certification"],
        "長寿介護課 0559-00-0050",
    ),
    (
        "防災・罹災",
        "罹災証明書はどこで申請できますか",
        ["台風で家が壊れた", "災害の証明がほしい"],
        "罹災証明 災害 被害",
        "罹災証明書は危機管理課で申請できます。被害の様子がわかる写真をお持ちください。",
        ["disaster-certificate"],
        "危機管理課 0559-00-0060",
    ),
    (
        "税",
        "市県民税の納付書をなくしました",
        ["納付書の再発行"],
        "住民税 市県民税 納付書 再発行",
        "税務課にご連絡いただければ、納付書を再発行します。口座振替の申込もできます。",
        [],
        "税務課 0559-00-0070",
    ),
]

# The same FAQs' English texts, keyed by the Japanese question: category, question, answer
# (Markdown), contact. Shown to readers of other languages through core/localized_text.py.
DEMO_FAQS_EN: dict[str, tuple[str, str, str, str]] = {
    "住民票の写しはどこで取れますか": (
        "Family register and residence",
        "Where can I get a copy of my residence certificate (Jūminhyō)?",
        "At the Citizens Division counter (weekdays 8:30–17:15). With a My Number Card you can "
        "also get it at convenience stores anywhere in Japan.\n\n"
        "**What to bring**: photo ID (such as a driver's licence)",
        "Citizens Division, Resident Records 0559-00-0001",
    ),
    "印鑑登録証明書を取るには何が必要ですか": (
        "Family register and residence",
        "What do I need for a seal registration certificate?",
        "Bring your seal registration card to the counter. With a My Number Card you can also "
        "get it at convenience stores.",
        "Citizens Division, Resident Records 0559-00-0001",
    ),
    "市外へ引っ越すときの手続きを教えてください": (
        "Housing and moving",
        "What do I need to do when I move out of the city?",
        "Before you move, submit a **moving-out notification**; you can also do it online. "
        "Within 14 days after moving, submit a moving-in notification to your new city.",
        "Citizens Division, Resident Records 0559-00-0001",
    ),
    "粗大ごみはどうやって出せばいいですか": (
        "Waste and environment",
        "How do I put out bulky waste?",
        "Bulky waste is collected on request. Apply online and put it out at your door on the "
        "day given. The fee depends on the item.",
        "Environment Division 0559-00-0020",
    ),
    "ごみの分別がわかりません": (
        "Waste and environment",
        "How do I sort my rubbish?",
        "Sort it into burnable waste, non-burnable waste and recyclables. See the waste "
        "calendar delivered to every household for details.",
        "Environment Division 0559-00-0020",
    ),
    "児童手当はいつ支給されますか": (
        "Children and childcare",
        "When is the child allowance paid?",
        "It is paid in even months (February, April, June, August, October, December), for the "
        "two months before.",
        "Children's Division 0559-00-0030",
    ),
    "保育園に入るにはどうすればいいですか": (
        "Children and childcare",
        "How do I apply for a nursery school place?",
        "Apply at the Children's Division counter or online. Applications for April are taken "
        "together in the autumn before.",
        "Children's Division 0559-00-0030",
    ),
    "妊娠したらまず何をすればいいですか": (
        "Children and childcare",
        "I am pregnant. What should I do first?",
        "Submit a pregnancy notification and you will receive a Maternal and Child Health "
        "Handbook. You can also notify online.",
        "Health Promotion Division 0559-00-0040",
    ),
    "犬を飼い始めたら届出は必要ですか": (
        "Pets and animals",
        "Do I need to register a dog I have started keeping?",
        "Dogs older than 90 days must be registered within 30 days. Have your dog vaccinated "
        "against rabies every year as well.",
        "Environment Division 0559-00-0020",
    ),
    "介護保険のサービスを使うにはどうすればいいですか": (
        "Long-term care",
        "How can I use long-term care insurance services?",
        "First apply for a care needs certification. Your family or a care manager may apply "
        "for you.",
        "Elderly Care Division 0559-00-0050",
    ),
    "罹災証明書はどこで申請できますか": (
        "Disasters",
        "Where can I apply for a disaster damage certificate?",
        "Apply at the Crisis Management Division. Bring photos that show the damage.",
        "Crisis Management Division 0559-00-0060",
    ),
    "市県民税の納付書をなくしました": (
        "Taxes",
        "I lost my payment slip for resident tax.",
        "Contact the Taxation Division and we will issue a new slip. You can also apply to pay "
        "by bank transfer.",
        "Taxation Division 0559-00-0070",
    ),
}
