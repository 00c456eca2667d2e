"""Synonym expansion of a query's terms from the curated lexicon.

The same rule as the FAQ engine's query analysis: a group applies when every term of one of its
members is in the query; the other members' terms are then added at a lower weight.
"""

from __future__ import annotations

from .analysis import Analyzer, unique


class SynonymExpander:
    def __init__(self, analyzer: Analyzer, *, weight: float = 0.5) -> None:
        self.weight = weight
        self._groups: list[list[tuple[str, ...]]] = []
        self._keys: dict[str, list[int]] = {}
        for group in analyzer.lexicon.synonym_groups:
            members = [m for m in (tuple(unique(analyzer.words(w))) for w in group) if m]
            if len(members) >= 2:
                for m in members:
                    # A member can only match when its first term is in the query.
                    self._keys.setdefault(m[0], []).append(len(self._groups))
                self._groups.append(members)

    def expand(self, weights: dict[str, float]) -> dict[str, float]:
        """The query's weighted terms plus the terms of every synonym group it matches."""
        out = dict(weights)
        present = set(weights)
        for g in sorted({g for t in present for g in self._keys.get(t, ())}):
            members = self._groups[g]
            if not any(all(t in present for t in m) for m in members):
                continue
            for m in members:
                for t in m:
                    out.setdefault(t, self.weight)
        return out
