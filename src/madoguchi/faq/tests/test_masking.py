"""Query masking against a corpus of resident questions (written for this test).

Each question comes with the text the query log must keep. The counts: personal values in the
corpus (each mask in the expected texts), how many were masked (recall), how many masks were
produced where nothing personal was (precision), and procedure words that must survive.
"""

from __future__ import annotations

import re

import pytest

from madoguchi.faq.masking import mask_personal_data

N, A, P, T, E, B, M, Z = (
    "［氏名］",
    "［住所］",
    "［郵便番号］",
    "［電話番号］",
    "［メール］",
    "［生年月日］",
    "［12桁の番号］",
    "［番号］",
)

CORPUS: list[tuple[str, str]] = [
    # Names (kanji, kana, with and without honorifics)
    ("山田太郎です。住民票の写しがほしい", f"{N}です。住民票の写しがほしい"),
    ("田中花子の住民票を代理で取れますか", f"{N}の住民票を代理で取れますか"),
    ("私は佐藤と申します。転入届の期限を教えて", f"私は{N}と申します。転入届の期限を教えて"),
    ("鈴木一郎の戸籍謄本を郵送で請求したい", f"{N}の戸籍謄本を郵送で請求したい"),
    ("母の伊藤ひろみの介護保険の認定について", f"母の{N}の介護保険の認定について"),
    ("名前はすずきはなこです。児童手当の申請方法は？", f"名前は{N}です。児童手当の申請方法は？"),
    ("やまだたろうと申します。印鑑登録をしたい", f"{N}と申します。印鑑登録をしたい"),
    ("ヤマダタロウです。マイナンバーカードの受け取り", f"{N}です。マイナンバーカードの受け取り"),
    ("夫の高橋健一が亡くなりました。死亡届は？", f"夫の{N}が亡くなりました。死亡届は？"),
    ("小林あゆみの戸籍の附票がほしい", f"{N}の戸籍の附票がほしい"),
    ("長谷川翔太の保育園の入園申込", f"{N}の保育園の入園申込"),
    (
        "中村さんに聞いたら国民健康保険の手続きが要ると言われた",
        f"{N}さんに聞いたら国民健康保険の手続きが要ると言われた",
    ),
    # (The log keeps the normalised text: 「：」 becomes ":".)
    ("氏名：渡辺美咲 転出届はオンラインでできますか", f"氏名:{N} 転出届はオンラインでできますか"),
    ("娘の加藤さくらの就学援助を申し込みたい", f"娘の{N}の就学援助を申し込みたい"),
    ("祖父の山本清の後期高齢者医療の保険証", f"祖父の{N}の後期高齢者医療の保険証"),
    ("わたしは木村と言います。粗大ごみの出し方", f"わたしは{N}と言います。粗大ごみの出し方"),
    ("斎藤です。犬の登録はどこでしますか", f"{N}です。犬の登録はどこでしますか"),
    ("松本由美子の委任状の書き方を教えてください", f"{N}の委任状の書き方を教えてください"),
    ("Taro Yamada です。転入届はどこで出せますか", f"{N} です。転入届はどこで出せますか"),
    ("はなこの児童手当の振込日", f"{N}の児童手当の振込日"),
    ("山田の母です。介護認定の結果はいつ", f"{N}の母です。介護認定の結果はいつ"),
    # Addresses and postal codes
    ("東京都千代田区霞が関1丁目2番3号に住んでいます", f"{A}に住んでいます"),
    ("横浜市中区本町6丁目50番地の10から引っ越します", f"{A}から引っ越します"),
    ("さいたま市浦和区常盤6-4-4に転居しました。転居届は？", f"{A}に転居しました。転居届は？"),
    ("札幌市中央区北1条西2丁目の住所で住民票を取りたい", f"{A}の住所で住民票を取りたい"),
    ("〒100-0013 宛てに証明書を送ってほしい", f"{P} 宛てに証明書を送ってほしい"),
    ("郵便番号は530-0001です", f"{P}です"),
    ("大阪市北区梅田3-1-1に住民票を移したい", f"{A}に住民票を移したい"),
    ("新宿区西新宿2-8-1の近くの出張所", f"{A}の近くの出張所"),
    ("3丁目12番地の5に住んでいますがごみの収集日は？", f"{A}に住んでいますがごみの収集日は？"),
    ("〒2310017 の住所に納税通知書が届きません", f"{P} の住所に納税通知書が届きません"),
    ("名古屋市中区三の丸3丁目1番1号の窓口は何時まで", f"{A}の窓口は何時まで"),
    # Phone numbers, e-mail, My Number
    ("電話は090-1234-5678です。折り返し下さい", f"電話は{T}です。折り返し下さい"),
    ("03-1234-5678に連絡ください", f"{T}に連絡ください"),
    ("連絡先 taro.yamada@example.jp に送ってください", f"連絡先 {E} に送ってください"),
    ("マイナンバーは123456789012です", f"マイナンバーは{M}です"),
    ("個人番号 1234 5678 9012 を書く欄はどこ", f"個人番号 {M} を書く欄はどこ"),
    ("携帯０８０－９８７６－５４３２へ電話ください", f"携帯{T}へ電話ください"),
    ("hanako_sato+city@example.co.jp でパスワードを忘れた", f"{E} でパスワードを忘れた"),
    # Dates of birth
    ("昭和60年4月1日生まれです。年金の手続きは？", f"{B}です。年金の手続きは？"),
    ("生年月日は1985/4/1です", f"{B}です"),
    ("平成12年10月3日生の子の予防接種", f"{B}の子の予防接種"),
    ("誕生日は2019年5月20日で、3歳児健診はいつ？", f"{B}で、3歳児健診はいつ？"),
    # Several at once
    (
        "佐々木健です。電話09011112222、住所は福岡市博多区博多駅前1丁目1番1号です",
        f"{N}です。電話{T}、住所は{A}です",
    ),
    (
        "私は井上と申します。メールinoue@example.com、〒812-0011",
        f"私は{N}と申します。メール{E}、{P}",
    ),
    # Procedure questions with nothing personal: unchanged
    ("住民票の写しはコンビニで取れますか", "住民票の写しはコンビニで取れますか"),
    ("児童手当の現況届はいつまでですか", "児童手当の現況届はいつまでですか"),
    ("転入届に必要なものは何ですか", "転入届に必要なものは何ですか"),
    ("印鑑登録証をなくしました", "印鑑登録証をなくしました"),
    ("4月1日に2人で窓口に行けますか", "4月1日に2人で窓口に行けますか"),
    ("千代田区から転入する場合の手続き", "千代田区から転入する場合の手続き"),
    (
        "大阪府から引っ越してきました。国民健康保険の加入は？",
        "大阪府から引っ越してきました。国民健康保険の加入は？",
    ),
    ("マイナンバーカードの暗証番号を忘れました", "マイナンバーカードの暗証番号を忘れました"),
    ("戸籍謄本と戸籍抄本の違いは？", "戸籍謄本と戸籍抄本の違いは？"),
    ("粗大ごみは何曜日に出せますか", "粗大ごみは何曜日に出せますか"),
    ("私は外国人です。在留カードの住所変更は？", "私は外国人です。在留カードの住所変更は？"),
    ("私は65歳です。介護保険料の納付方法は？", "私は65歳です。介護保険料の納付方法は？"),
    ("後期高齢者医療の保険料はいくら", "後期高齢者医療の保険料はいくら"),
    ("出生届は生まれてから何日以内？", "出生届は生まれてから何日以内？"),
    ("婚姻届の証人は誰でもいいですか", "婚姻届の証人は誰でもいいですか"),
    ("2024年度の住民税の通知はいつ届く", "2024年度の住民税の通知はいつ届く"),
    ("窓口は8時30分から17時15分までですか", "窓口は8時30分から17時15分までですか"),
    ("子ども医療費助成の所得制限について", "子ども医療費助成の所得制限について"),
    ("パスポートの申請は市役所でできますか", "パスポートの申請は市役所でできますか"),
    ("転出届は郵送でもできますか", "転出届は郵送でもできますか"),
    ("ひとり親家庭の医療費助成を受けたい", "ひとり親家庭の医療費助成を受けたい"),
    ("犬の狂犬病予防注射の会場は？", "犬の狂犬病予防注射の会場は？"),
    ("石川県金沢市の実家に住民票を置いたまま", "石川県金沢市の実家に住民票を置いたまま"),
    ("森林の伐採届はどこに出す", "森林の伐採届はどこに出す"),
    ("愛の手帳の更新手続き", "愛の手帳の更新手続き"),
    ("3歳児健診の持ち物を教えて", "3歳児健診の持ち物を教えて"),
]

PROCEDURE_WORDS = [
    "住民票",
    "児童手当",
    "転入届",
    "転出届",
    "戸籍謄本",
    "印鑑登録",
    "国民健康保険",
    "介護保険",
    "マイナンバーカード",
    "後期高齢者医療",
    "婚姻届",
    "出生届",
    "死亡届",
    "転居届",
    "在留カード",
]
MASKS = (N, A, P, T, E, B, M, Z)
_MASK_RE = re.compile("|".join(re.escape(m) for m in MASKS))


def _masks(text: str) -> list[str]:
    return _MASK_RE.findall(text)


def test_the_corpus_is_large_enough_and_its_own():
    assert len(CORPUS) >= 60
    assert len({q for q, _ in CORPUS}) == len(CORPUS)


def test_masking_the_corpus_counts():
    expected_values = produced_right = spurious = missed = 0
    wrong: list[tuple[str, str, str]] = []
    for question, expected in CORPUS:
        masked = mask_personal_data(question)
        want, got = _masks(expected), _masks(masked)
        expected_values += len(want)
        # Multiset comparison per kind of mask: a wrong kind counts as a miss and a spurious one.
        remaining = list(got)
        for mask in want:
            if mask in remaining:
                remaining.remove(mask)
                produced_right += 1
            else:
                missed += 1
        spurious += len(remaining)
        if masked != expected:
            wrong.append((question, expected, masked))
    kept = sum(
        1
        for question, _expected in CORPUS
        for word in PROCEDURE_WORDS
        if word in question and word in mask_personal_data(question)
    )
    present = sum(1 for q, _e in CORPUS for word in PROCEDURE_WORDS if word in q)
    print(
        f"\ncorpus: {len(CORPUS)} questions, {expected_values} personal values; "
        f"masked {produced_right} (recall {produced_right}/{expected_values}), "
        f"spurious masks {spurious}, missed {missed}; "
        f"procedure words kept {kept}/{present}; exact texts {len(CORPUS) - len(wrong)}/{len(CORPUS)}"
    )
    assert wrong == []
    assert kept == present


@pytest.mark.parametrize(
    "text",
    ["山田太郎", "〒100-0013", "taro@example.jp", "090-1234-5678", "123456789012"],
)
def test_values_never_reach_the_log(text):
    assert text not in mask_personal_data(f"問い合わせ {text} について")
