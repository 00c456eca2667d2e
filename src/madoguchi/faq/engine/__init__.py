"""FAQ search engine: pure Python (no Django), usable by the app, the CLI and benchmarks.

index = FaqIndex()
index.build([FaqDocument(id="1", question="…", answer="…")])
result = index.search("住民票はどこでとれますか")
if result.confident: ...
"""

from .documents import FaqDocument, SearchHit, SearchResult
from .index import EngineConfig, FaqIndex

__all__ = ["EngineConfig", "FaqDocument", "FaqIndex", "SearchHit", "SearchResult"]
