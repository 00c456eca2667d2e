"""Field types live in one place: no module outside procedures/formdef/fields/ branches on a type.

The engine and every other app reach a field's behaviour through `field.kind` (the registry in
formdef/fields/). This test walks the source with `ast` and fails on any comparison of a
field-type expression (`f.type`, `ftype`, `obj["type"]`, `obj.get("type")`) with a registered
type name or a `…_TYPES` set, any lookup keyed by such an expression (`TABLE[f.type]`,
`TABLE.get(f.type)`), a `match` on one, and any template comparing `.type` with a type name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from madoguchi.procedures.formdef.fields import registered

ROOT = Path(__file__).resolve().parents[2]  # src/madoguchi
FIELDS = ROOT / "procedures" / "formdef" / "fields"
TYPE_NAMES = frozenset(registered())


@dataclass(frozen=True)
class Branch:
    path: str
    line: int
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code}"


def _is_type_expression(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "type"
    if isinstance(node, ast.Name):
        return node.id in {"ftype", "field_type_name", "type_name"}
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "type"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return (
            node.func.attr == "get"
            and bool(node.args)
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "type"
        )
    return False


def _names_types(node: ast.AST) -> bool:
    """A type-name literal, a literal collection holding one, or a `…_TYPES` constant."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in TYPE_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_types(e) for e in node.elts)
    if isinstance(node, ast.Call) and node.args:  # frozenset({...}), set([...])
        return _names_types(node.args[0])
    if isinstance(node, ast.Name):
        return node.id.endswith("_TYPES")
    if isinstance(node, ast.Attribute):
        return node.attr.endswith("_TYPES")
    return False


def type_branches(source: str, path: str) -> Iterator[Branch]:
    """Every place in `source` that decides something by a field's type name."""
    tree = ast.parse(source)
    lines = source.splitlines()

    def at(node: ast.AST) -> Branch:
        line = getattr(node, "lineno", 0)
        return Branch(path, line, lines[line - 1].strip() if line else "")

    for node in ast.walk(tree):
        if _decides_by_type(node):
            yield at(node)


def _decides_by_type(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        return any(_is_type_expression(o) for o in operands) and any(
            _names_types(o) for o in operands if not _is_type_expression(o)
        )
    if isinstance(node, ast.Subscript):  # TABLE[f.type]
        return _is_type_expression(node.slice)
    if isinstance(node, ast.Call):  # TABLE.get(f.type)
        return (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and bool(node.args)
            and _is_type_expression(node.args[0])
        )
    if isinstance(node, ast.Match):
        return _is_type_expression(node.subject)
    return False


_TEMPLATE_BRANCH = re.compile(r"\.type\s*(?:==|!=|in)\s*['\"](\w+)['\"]")


def template_branches(text: str, path: str) -> Iterator[Branch]:
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _TEMPLATE_BRANCH.finditer(line):
            if match.group(1) in TYPE_NAMES:
                yield Branch(path, number, line.strip())


def _outside_registry(paths: Iterator[Path]) -> Iterator[Path]:
    for path in paths:
        if FIELDS in path.parents or "tests" in path.relative_to(ROOT).parts:
            continue
        yield path


def all_branches(root: Path = ROOT) -> list[Branch]:
    found: list[Branch] = []
    for path in _outside_registry(iter(sorted(root.rglob("*.py")))):
        found += type_branches(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    for path in _outside_registry(iter(sorted(root.rglob("templates/**/*.html")))):
        found += template_branches(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return found


def test_no_module_outside_the_registry_branches_on_a_field_type() -> None:
    branches = all_branches()
    assert not branches, "Move these into the field type's class in formdef/fields/:\n" + "\n".join(
        str(b) for b in branches
    )


def test_the_detector_finds_each_kind_of_branch() -> None:
    source = "\n".join(
        [
            'if f.type == "date": pass',
            'if field.type in ("name", "address"): pass',
            'ok = ftype not in {"group"}',
            "ok = f.type in DISPLAY_ONLY_TYPES",
            'ok = obj.get("type") == "file"',
            'ok = raw["type"] != "notice"',
            "cleaner = CLEANERS[field.type]",
            "template = TEMPLATES.get(f.type, 'input')",
            "match f.type:\n    case 'name': pass",
        ]
    )
    found = list(type_branches(source, "example.py"))
    assert sorted(b.line for b in found) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_the_detector_leaves_other_code_alone() -> None:
    source = "\n".join(
        [
            'if event.kind == "file": pass',  # not a type expression
            'if f.type == "signature": pass',  # not a registered type name
            "if f.kind.repeats: pass",
            'card = {"name": n, "address": a}',
        ]
    )
    assert list(type_branches(source, "example.py")) == []


def test_the_detector_reads_templates() -> None:
    text = '{% if view.field.type == "date" %}x{% endif %}\n{% if row.type == "other" %}{% endif %}'
    assert [b.line for b in template_branches(text, "t.html")] == [1]


def test_every_registered_type_has_its_own_module() -> None:
    for name, kind in registered().items():
        module = type(kind).__module__.rsplit(".", 1)[-1]
        assert module == name, f"{name} is defined in {module}.py"
