"""Questions in other languages: detect them and translate their key terms through a glossary.

The sentence encoders are multilingual, so a question in English, Chinese, Korean, Vietnamese or
Portuguese already lands near the Japanese FAQ that answers it, but only roughly. The word and
character channels see nothing in such a question. ``core/japanese_analysis/data/glossary.tsv`` (municipal vocabulary,
written for this project) maps the question's key terms to Japanese; those terms are searched by
the word, character and word-vector channels as a Japanese question would be, and the sentence
channels weigh more (see ``EngineConfig.foreign_sentence_boost``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "zh", "ko", "vi", "pt")
_COLUMNS = {"en": 1, "zh": 2, "ko": 3, "vi": 4, "pt": 5}
_SPACED = {"en", "vi", "pt"}  # languages matched on whole words

_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Characters common in Chinese questions and absent from (or rare in) Japanese ones: simplified
# forms and function words. A kanji-only text without any of them is taken as Japanese (住民票).
_ZH_MARKS = re.compile(
    "[的吗么吧呢这哪们还没给让说请应该办里个为时对会过从样怎谁啥钱号码续证车买卖问题"
    "丢扔阳岁贷养护险费税单张开关门见觉边远进运层楼爷奶妈爸儿几发了很装]"
)
_LATIN = re.compile(r"[A-Za-z]")
_VI = re.compile(r"[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_PT_LETTERS = re.compile(r"[ãõçáéíóúâêà]", re.IGNORECASE)
_PT_WORDS = re.compile(
    r"\b(de|da|dos|das|que|como|onde|para|meu|minha|não|um|uma|quero|posso|preciso)\b",
    re.IGNORECASE,
)


def detect_language(text: str) -> str:
    """ "ja" for Japanese (any kana, or kanji only with no Chinese marks), else a code of
    :data:`LANGUAGES`."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text) and _ZH_MARKS.search(text):
        return "zh"
    if _LATIN.search(text):
        if _VI.search(text):
            return "vi"
        if _PT_LETTERS.search(text) or len(_PT_WORDS.findall(text)) >= 2:
            return "pt"
        return "en"
    return "ja"


@dataclass(frozen=True)
class Glossary:
    # language -> list of (foreign term, Japanese terms of every entry with it), longest first
    terms: dict[str, list[tuple[str, tuple[str, ...]]]]

    def translate(self, text: str, language: str) -> list[str]:
        """Japanese terms for the glossary entries the text contains (longest match first; a
        matched span is not matched again by a shorter term)."""
        entries = self.terms.get(language)
        if not entries:
            return []
        folded = unicodedata.normalize("NFKC", text).lower()
        if language in _SPACED:
            folded = " " + re.sub(r"[^\w'-]+", " ", folded) + " "
        used = [False] * len(folded)
        found: list[str] = []
        for term, japanese in entries:
            start = 0
            while True:
                pos = folded.find(term, start)
                if pos < 0:
                    break
                end = pos + len(term)
                start = pos + 1
                if language in _SPACED and not _word_bounded(folded, pos, end):
                    continue
                if any(used[pos:end]):
                    continue
                for i in range(pos, end):
                    used[i] = True
                found.extend(japanese)  # twice in the question: weighs twice
        return found


def _word_bounded(text: str, pos: int, end: int) -> bool:
    """The match starts at a word start and ends at a word end (an ending s, es, d, ed or ing
    allowed: "hornets", "registered")."""
    if pos > 0 and text[pos - 1].isalnum():
        return False
    return re.match(r"(?:s|es|d|ed|ing)?(?!\w)", text[end:]) is not None


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    text = (
        resources.files("madoguchi.core.japanese_analysis.data")
        .joinpath("glossary.tsv")
        .read_text("utf-8")
    )
    return parse_glossary(text)


def parse_glossary(text: str) -> Glossary:
    grouped: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGUAGES}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        japanese = cols[0].strip()
        for lang, col in _COLUMNS.items():
            if col >= len(cols):
                continue
            for alt in cols[col].split("|"):
                term = unicodedata.normalize("NFKC", alt.strip()).lower()
                if term:
                    grouped[lang].setdefault(term, []).append(japanese)
    terms = {
        lang: sorted(((t, tuple(ja)) for t, ja in entries.items()), key=lambda e: -len(e[0]))
        for lang, entries in grouped.items()
    }
    return Glossary(terms)
