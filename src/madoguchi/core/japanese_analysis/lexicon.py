"""Hand-written word lists kept as data: synonyms, dialect rewrites, stop words.

The files live in ``data/`` beside this module so municipal editors (or a later staff UI) can extend
them without touching code. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .normalize import fold_width

_DATA_PACKAGE = "madoguchi.core.japanese_analysis.data"


def _read_lines(name: str) -> list[str]:
    text = resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if line.strip():
            lines.append(line)
    return lines


@dataclass(frozen=True)
class Lexicon:
    """Curated vocabulary.

    - ``synonym_groups``: each group lists words that residents and FAQ writers use for one thing
      (e.g. a colloquial word and the official term). A query matching one member is expanded with the
      others at a lower weight.
    - ``rewrites``: one-way surface rewrites applied to the query text before analysis (dialect and
      colloquial forms that the morphological analyser would otherwise mis-segment), longest first.
    - ``stop_lemmas``: normalised forms that carry no topic (question boilerplate, light verbs).
    """

    synonym_groups: tuple[tuple[str, ...], ...] = ()
    rewrites: tuple[tuple[str, str], ...] = ()
    stop_lemmas: frozenset[str] = field(default_factory=frozenset)

    @staticmethod
    def empty() -> Lexicon:
        return Lexicon()


def parse_synonyms(lines: list[str]) -> tuple[tuple[str, ...], ...]:
    groups = []
    for line in lines:
        members = tuple(
            dict.fromkeys(fold_width(m) for m in line.replace(",", "\t").split("\t") if m.strip())
        )
        if len(members) >= 2:
            groups.append(members)
    return tuple(groups)


def parse_rewrites(lines: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip():
            pairs.append((fold_width(parts[0]), fold_width(parts[1])))
    # Longest pattern first, so a longer dialect phrase wins over its prefix.
    pairs.sort(key=lambda p: -len(p[0]))
    return tuple(pairs)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon(
        synonym_groups=parse_synonyms(_read_lines("synonyms.tsv")),
        rewrites=parse_rewrites(_read_lines("dialect.tsv")),
        stop_lemmas=frozenset(fold_width(w) for w in _read_lines("stopwords.txt")),
    )
