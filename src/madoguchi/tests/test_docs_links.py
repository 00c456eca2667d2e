"""Every relative link in the README and docs/ points at a file of this repository.

A newcomer reads these first, often without `../shared` beside the checkout: a link outside the
repository, or to a file that moved, is a dead end.
"""

from __future__ import annotations

import re

from madoguchi.cli import PROJECT_DIR

LINK = re.compile(r"\]\(([^)\s]+)\)|\[[^\]]*\]:\s*(\S+)")


def _documents() -> list:
    return [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").rglob("*.md"))]


def test_relative_links_resolve_inside_the_repository() -> None:
    dead = []
    for document in _documents():
        for match in LINK.finditer(document.read_text(encoding="utf-8")):
            target = (match.group(1) or match.group(2)).split("#", 1)[0]
            if not target or re.match(r"^[a-z]+:", target):
                continue  # an anchor in the same page, or an absolute URL
            path = (document.parent / target).resolve()
            inside = path.is_relative_to(PROJECT_DIR.resolve())
            if not inside or not path.exists():
                dead.append(f"{document.relative_to(PROJECT_DIR)}: {target}")
    assert not dead, "dead links:\n" + "\n".join(dead)


def test_documents_are_found() -> None:
    assert len(_documents()) > 5
