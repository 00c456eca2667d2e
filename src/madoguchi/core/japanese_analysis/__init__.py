"""Japanese text analysis shared by every search: Sudachi normalised forms, width and kana
folding, character bigrams and the curated lexicon (synonyms, dialect rewrites, stop words).

It lives in core so that any app may search with it (the FAQ engine and the procedure
catalogue do); the word lists are data in ``data/``.
"""

from .analysis import NOUN, PART, PREDICATE, Analyzer
from .lexicon import Lexicon, default_lexicon
from .normalize import fold_all, fold_width

__all__ = [
    "NOUN",
    "PART",
    "PREDICATE",
    "Analyzer",
    "Lexicon",
    "default_lexicon",
    "fold_all",
    "fold_width",
]
