"""Plain-language and accessibility checks while a form is edited: hints, never blocking.

A small registry: each check is a function registered with `@check` that looks at one step or
field object of the definition (the JSON, so it also runs on a draft the parser refuses) and
yields findings, each with a message in Japanese for the editor. The editor shows them beside
the step or field; publishing does not wait for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from madoguchi.procedures.formdef.definition import accepted_attributes
from madoguchi.procedures.formdef.fields.date import DateType

from .editing import NodePath, kind_of, walk

# Figures behind the hints (やさしい日本語 guides: short sentences, about 30 % kanji or less).
LABEL_MAX = 30
HELP_MAX = 120
SENTENCE_MAX = 50
KANJI_SHARE_MAX = 0.4
KANJI_MIN_TEXT = 10  # fewer Japanese letters (氏名, 生年月日, 例：昭和50年4月1日): left alone
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


@dataclass(frozen=True)
class Finding:
    path: str  # the step or field (editing.NodePath as text)
    attribute: str  # the attribute it is about ("" for the whole object)
    code: str  # the check's name
    message: str


@dataclass(frozen=True)
class Node:
    path: NodePath
    obj: dict[str, Any]

    @property
    def is_step(self) -> bool:
        return self.path.is_step

    def text(self, name: str) -> str:
        value = self.obj.get(name)
        return value if isinstance(value, str) else ""


CheckFunction = Callable[[Node], Iterator[Finding]]
CHECKS: dict[str, CheckFunction] = {}


def check(function: CheckFunction) -> CheckFunction:
    """Register a check under its function name."""
    CHECKS[function.__name__] = function
    return function


def run_checks(definition: Any) -> list[Finding]:
    """Every finding of every registered check, in document order."""
    findings: list[Finding] = []
    for path, obj in walk(definition):
        node = Node(path, obj)
        for function in CHECKS.values():
            findings.extend(function(node))
    return findings


def _finding(node: Node, attribute: str, code: str, message: str) -> Finding:
    return Finding(str(node.path), attribute, code, message)


def _japanese_letters(text: str) -> list[str]:
    """Kanji and kana: digits, Latin letters and punctuation say nothing about reading ease."""
    return [c for c in text if _KANJI.match(c) or _KANA.match(c)]


def kanji_share(text: str) -> float:
    """The share of kanji among the Japanese letters of a text."""
    letters = _japanese_letters(text)
    if not letters:
        return 0.0
    return sum(1 for c in letters if _KANJI.match(c)) / len(letters)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _japanese_texts(node: Node) -> Iterator[tuple[str, str]]:
    names = ("title", "description") if node.is_step else ("label", "help")
    for name in names:
        text = node.text(name)
        if text.strip():
            yield name, text


@check
def label_length(node: Node) -> Iterator[Finding]:
    name = "title" if node.is_step else "label"
    length = len(node.text(name).strip())
    if length > LABEL_MAX:
        yield _finding(
            node,
            name,
            "label_length",
            _("項目名が%(n)d字あります。%(max)d字以内にすると読みやすくなります。")
            % {"n": length, "max": LABEL_MAX},
        )


@check
def help_length(node: Node) -> Iterator[Finding]:
    name = "description" if node.is_step else "help"
    length = len(node.text(name).strip())
    if length > HELP_MAX:
        yield _finding(
            node,
            name,
            "help_length",
            _(
                "説明が%(n)d字あります。%(max)d字以内にまとめ、詳しいことは手続の案内に書いてください。"
            )
            % {"n": length, "max": HELP_MAX},
        )


@check
def kanji_density(node: Node) -> Iterator[Finding]:
    for name, text in _japanese_texts(node):
        share = kanji_share(text)
        if len(_japanese_letters(text)) >= KANJI_MIN_TEXT and share > KANJI_SHARE_MAX:
            yield _finding(
                node,
                name,
                "kanji_density",
                _(
                    "やさしい日本語：漢字が%(share)d%%です。ひらがなやふりがなを増やすと、読みやすくなります（目安は%(max)d%%以下）。"
                )
                % {"share": round(share * 100), "max": round(KANJI_SHARE_MAX * 100)},
            )


@check
def long_sentences(node: Node) -> Iterator[Finding]:
    for name, text in _japanese_texts(node):
        longest = max((len(s) for s in sentences(text)), default=0)
        if longest > SENTENCE_MAX:
            yield _finding(
                node,
                name,
                "long_sentence",
                _(
                    "やさしい日本語：%(n)d字の長い文があります。1つの文は%(max)d字くらいまでにして、文を分けてください。"
                )
                % {"n": longest, "max": SENTENCE_MAX},
            )


def _english_attributes(node: Node) -> set[str]:
    """The `<name>_en` attributes the parser accepts on this step or field (by its type)."""
    accepted = accepted_attributes()
    if node.is_step:
        names = accepted["step"]
    else:
        kind = kind_of(node.obj)
        names = accepted["field"] | (kind.attributes if kind else frozenset())
    return {n for n in names if n.endswith("_en")}


@check
def missing_english(node: Node) -> Iterator[Finding]:
    for english in sorted(_english_attributes(node)):
        name = english.removesuffix("_en")
        if node.text(name).strip() and not node.text(english).strip():
            yield _finding(
                node,
                english,
                "missing_english",
                _("英語の文（%(name)s）がありません。英語で読む人には日本語のまま表示されます。")
                % {"name": english},
            )
    options = node.obj.get("options")
    if isinstance(options, list):
        missing = [
            str(o.get("value", ""))
            for o in options
            if isinstance(o, dict) and o.get("label") and not o.get("label_en")
        ]
        if missing:
            yield _finding(
                node,
                "options",
                "missing_english",
                _("選択肢に英語の表示がありません：%(values)s") % {"values": "、".join(missing)},
            )


@check
def required_without_label(node: Node) -> Iterator[Finding]:
    if not node.is_step and node.obj.get("required") is True and not node.text("label").strip():
        yield _finding(
            node,
            "label",
            "required_without_label",
            _("必ず入力する項目に項目名がありません。読み上げソフトでは何を入れるかわかりません。"),
        )


@check
def date_without_example(node: Node) -> Iterator[Finding]:
    if node.is_step or not isinstance(kind_of(node.obj), DateType):
        return
    if "例" not in node.text("help"):
        yield _finding(
            node,
            "help",
            "date_without_example",
            _(
                "日付の項目に記入例がありません。説明に「例：令和7年4月1日」のように、何の日付をどう書くかの例を入れてください。"
            ),
        )


def findings_by_path(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped
