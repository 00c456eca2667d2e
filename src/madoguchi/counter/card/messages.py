"""What the agent says to the clerk, in Japanese and English (`--lang`, else LANG).

The agent runs before Django (no settings, no database), so its texts live here rather than in
the gettext catalogue. Each message says what happened and what to do next.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

Language = Literal["ja", "en"]

MESSAGES: dict[str, tuple[str, str]] = {
    # Notices (stderr, the read goes on)
    "tries_pin": (
        "券面事項入力補助用暗証番号の残り回数：{tries}回",
        "Card-face PIN: {tries} tries left",
    ),
    "tries_collation_b": (
        "照合番号Bの残り回数：{tries}回",
        "Collation number B: {tries} tries left",
    ),
    "authenticity_verified": (
        "券面事項の電子署名を確かめました（改ざんはありません）。",
        "The signature over the card-face attributes is valid (not altered).",
    ),
    "authenticity_unchecked": (
        "発行者の公開鍵が設定されていないため、電子署名は確かめていません（ダイジェストは一致）。",
        "No issuer public key is configured, so the signature was not checked "
        "(the digest matches).",
    ),
    "authenticity_unavailable": (
        "照合番号Bでは電子署名を読めないため、真正性は確かめていません。券面と見比べてください。",
        "With collation number B the card does not release its signature; compare the "
        "attributes with the card face.",
    ),
    "next_card": (
        "次のカードを置いて Enter を押してください（終了は Ctrl+D）。",
        "Put the next card on the reader and press Enter (Ctrl+D to stop).",
    ),
    # Errors (stderr, non-zero exit)
    "pin_format": (
        "暗証番号は4桁の数字で入力してください。",
        "The PIN is 4 digits.",
    ),
    "collation_b_format": (
        "照合番号Bは14桁の数字で入力してください"
        "（生年月日の和暦6桁・有効期限の西暦年4桁・セキュリティコード4桁）。",
        "Collation number B is 14 digits (birth date in the Japanese era as YYMMDD, the "
        "expiry year, the 4-digit security code).",
    ),
    "secret_missing": (
        "暗証番号（--pin）か照合番号B（--collation-b）のどちらか一つを指定してください。",
        "Give either the PIN (--pin) or collation number B (--collation-b), not both.",
    ),
    "wrong_pin": (
        "暗証番号が違います（残り{tries}回）。本人にもう一度確かめてもらってください。",
        "Wrong PIN ({tries} tries left). Ask the card holder to check it.",
    ),
    "wrong_collation_b": (
        "照合番号Bが違います（残り{tries}回）。券面の生年月日・有効期限・セキュリティコードを"
        "確かめてください。",
        "Wrong collation number B ({tries} tries left). Check the birth date, expiry year "
        "and security code on the card face.",
    ),
    "last_try_pin": (
        "暗証番号の残りが1回のため照合しません（誤るとロックされます）。"
        "照合番号Bで読み取るか、手入力してください。",
        "Only one PIN try is left, so the agent does not try (a mistake would block the "
        "card). Use collation number B or type the data by hand.",
    ),
    "last_try_collation_b": (
        "照合番号Bの残りが1回のため照合しません（誤るとロックされます）。"
        "暗証番号で読み取るか、手入力してください。",
        "Only one collation number B try is left, so the agent does not try. Use the PIN "
        "or type the data by hand.",
    ),
    "blocked_pin": (
        "券面事項入力補助用暗証番号がロックされています。住所地の市区町村の窓口で"
        "暗証番号の再設定が必要です。今回は手入力してください。",
        "The card-face PIN is blocked. The holder must have it reset at their municipality; "
        "type the data by hand this time.",
    ),
    "blocked_collation_b": (
        "照合番号Bによる照合がロックされています。暗証番号で読み取るか、手入力してください。",
        "Collation number B is blocked. Use the PIN or type the data by hand.",
    ),
    "collation_b_unsupported": (
        "このカードは照合番号Bに対応していません。暗証番号で読み取ってください。",
        "This card does not support collation number B. Use the PIN.",
    ),
    "not_my_number_card": (
        "マイナンバーカードの券面事項入力補助APが見つかりません。"
        "カードの種類と置き方を確かめてください。",
        "The card-face attributes application was not found. Check that this is a My Number "
        "card and that it sits on the reader correctly.",
    ),
    "card_status": (
        "カードが想定外の応答をしました（{command} → {sw}：{text}）。カードを置き直してください。",
        "The card answered unexpectedly ({command} → {sw}: {text}). Put the card on the "
        "reader again.",
    ),
    "malformed": (
        "カードのデータを読み取れませんでした（{detail}）。カードを置き直してください。",
        "The card's data could not be read ({detail}). Put the card on the reader again.",
    ),
    "authenticity_failed": (
        "券面事項の電子署名が一致しません。カードの内容が改ざんされているおそれがあります。"
        "読み取った内容は使わず、券面と本人確認書類で確かめてください。",
        "The signature over the card-face attributes does not match: the data may have been "
        "altered. Do not use it; check the card face and identity documents instead.",
    ),
    "legal_basis_needs_pin": (
        "個人番号は暗証番号で照合した場合だけ読み取れます。",
        "The individual number can only be read after the PIN.",
    ),
    "no_pyscard": (
        "カードリーダーを使うには pyscard が必要です（pip install 'madoguchi[card]'）。",
        "A card reader needs pyscard (pip install 'madoguchi[card]').",
    ),
    "no_reader": (
        "カードリーダーが見つかりません。接続と PC/SC サービス（pcscd）を確かめてください。",
        "No card reader found. Check the cable and the PC/SC service (pcscd).",
    ),
    "no_card": (
        "カードリーダーにカードが置かれていません。",
        "There is no card on the reader.",
    ),
    "card_file": (
        "カードファイル {path} を使えません：{detail}",
        "Cannot use the card file {path}: {detail}",
    ),
    "handoff_sent": (
        "読み取った内容を窓口のフォームに送りました。画面で確かめてください。",
        "The attributes were sent to the counter's open form; check them on screen.",
    ),
    "handoff_url": (
        "送り先 {url} は https で指定してください（この PC 上のサーバーだけは http も可）。",
        "The server {url} must use https (plain http only to this PC itself).",
    ),
    "handoff_token_missing": (
        "窓口の端末トークンがありません（--counter-token または MADOGUCHI_COUNTER_TOKEN）。",
        "The counter token is missing (--counter-token or MADOGUCHI_COUNTER_TOKEN).",
    ),
    "handoff_my_number": (
        "個人番号はこの経路では送りません。",
        "The individual number is not sent over this channel.",
    ),
    "handoff_refused": (
        "サーバーが窓口の端末トークンを受け付けませんでした。管理者に端末の登録を確かめて"
        "もらってください。",
        "The server refused the counter token. Ask an administrator to check this counter's "
        "registration.",
    ),
    "handoff_no_open_form": (
        "この窓口で読み取りを待っているフォームがありません（時間切れの場合もあります）。"
        "画面で「カードを読み取る」を押してから、もう一度カードを置いてください。",
        "No form at this counter is waiting for a card (it may have timed out). Press "
        '"Read card" on screen, then put the card on the reader again.',
    ),
    "handoff_failed": (
        "フォームに送れませんでした（{detail}）。読み取った内容は保存していません。"
        "もう一度カードを読み取ってください。",
        "Could not send to the form ({detail}). Nothing was kept; read the card again.",
    ),
    "issuer_key": (
        "発行者の公開鍵 {path} を読めません：{detail}",
        "Cannot read the issuer public key {path}: {detail}",
    ),
}


def language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> Language:
    """`--lang`, else the locale (LC_ALL, LC_MESSAGES, LANG); Japanese unless it says English."""
    env = os.environ if environ is None else environ
    value = explicit or env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    return "en" if value.lower().startswith("en") else "ja"


def text(code: str, lang: Language = "ja", **params: object) -> str:
    ja, en = MESSAGES[code]
    return (en if lang == "en" else ja).format(**params)


class CardError(Exception):
    """A read that cannot go on; `code` names the message, `exit_code` the command's status."""

    def __init__(self, code: str, *, exit_code: int = 1, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.exit_code = exit_code
        self.params = params

    def message(self, lang: Language = "ja") -> str:
        return text(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")
