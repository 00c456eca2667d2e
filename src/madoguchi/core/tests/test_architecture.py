"""Architecture rules that a reviewer would otherwise have to remember.

Tenant scoping cannot be forgotten: outside the modules whose job is to read and write tenant
rows (selectors, services, tasks, `tenancy.access`, the few service modules named below) and the
tools that work across tenants on purpose (admin, migrations, management commands, tests), the
default manager of a tenant-owned model is only used scoped: `.for_municipality(...)`,
`.for_scope(...)`, `.none()`, or a first call whose keywords name the owning municipality
(`filter(municipality=...)`, `create(procedure__municipality=...)`). Anything else in a view,
API endpoint or form is an unscoped query waiting to leak, and fails this test.

Tenant-owned models are discovered from the app registry: every model that reaches
`Municipality` through a `municipality` foreign key, directly or through its required parents
(`tenancy.access.municipality_path`). We chose this test over a manager that raises on unscoped
use: the same guarantee where it matters (request-facing code), without touching the hundred
scoped call sites in services and selectors.
"""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

from django.apps import apps
from django.db import models

from madoguchi.tenancy.access import municipality_path

SRC = Path(__file__).resolve().parents[3]  # …/src
PACKAGE = SRC / "madoguchi"

# Modules (by file stem or by an enclosing package name) allowed to use the default manager.
ALLOWED_STEMS = {"selectors", "services", "tasks", "access", "admin", "conftest"}
ALLOWED_PACKAGES = {"selectors", "services", "migrations", "management", "tests"}
# Service modules named for what they do rather than `services.py`; each entry says why.
DATA_ACCESS_MODULES = {
    "madoguchi.applications.workflow": "status transitions and corrections (services)",
    "madoguchi.applications.creation": "the one creation service of applications (every channel)",
    "madoguchi.applications.facts": "read contract for insights: aggregates over a Scope",
    "madoguchi.reservations.facts": "read contract for insights: aggregates over a Scope",
    "madoguchi.faq.facts": "read contract for insights: aggregates over a Scope",
    "madoguchi.insights.rollups": "the nightly rollup service (one municipality at a time)",
    "madoguchi.demo_history": "demo data, built like a management command",
    "madoguchi.applications.retention": "the retention purge (a service over one municipality)",
    "madoguchi.applications.staff_scope": "department-scoped selectors",
    "madoguchi.applications.handoff.csv_export": "the bulk export service",
    "madoguchi.core.audit": "the audit service writes AuditEvent rows",
    "madoguchi.demo": "demo data, built like a management command",
    "madoguchi.applications.notices": "send-time mail contexts: load a queued notice's row by id",
    "madoguchi.reservations.notices": "send-time mail contexts: load a queued notice's row by id",
    "madoguchi.region.notices": "send-time mail contexts: load a queued notice's row by id",
}
MANAGER_ATTRIBUTES = {"objects", "_default_manager"}
SCOPING_METHODS = {"for_municipality", "for_scope", "none"}
SCOPING_SUFFIXES = {"", "_id", "__in", "_id__in", "__pk"}


def tenant_models() -> set[type[models.Model]]:
    return {
        model
        for model in apps.get_models()
        if model.__module__.startswith("madoguchi.") and municipality_path(model)
    }


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_allowed(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    stem = relative.stem
    allowed_stem = any(
        stem == s or stem.startswith(f"{s}_") or stem.endswith(f"_{s}") for s in ALLOWED_STEMS
    )
    return (
        allowed_stem
        or bool(ALLOWED_PACKAGES & set(relative.parts[:-1]))
        or module_name(path) in DATA_ACCESS_MODULES
    )


@cache
def resolve(dotted: str) -> object | None:
    """The object a dotted name refers to (module attribute chain), or None."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, None)
            if obj is None:
                return None
        return obj
    return None


class ManagerUses(ast.NodeVisitor):
    """Finds `<Name>.objects` and `<module>.<Name>.objects`, resolving names through imports."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.aliases: dict[str, str] = {}
        self.found: list[tuple[ast.Attribute, str]] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{base}.{alias.name}"

    def dotted(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MANAGER_ATTRIBUTES:
            name = self.dotted(node.value)
            if name:
                self.found.append((node, name))
        self.generic_visit(node)


def is_scoped(manager: ast.Attribute, parents: dict[ast.AST, ast.AST], path: str) -> bool:
    """`M.objects.for_municipality(...)`, `M.objects.none()` or `M.objects.filter(<path>=...)`."""
    method = parents.get(manager)
    if not isinstance(method, ast.Attribute):
        return False
    if method.attr in SCOPING_METHODS:
        return True
    call = parents.get(method)
    if not isinstance(call, ast.Call) or call.func is not method:
        return False
    return any(
        keyword.arg is not None
        and keyword.arg.startswith(path)
        and keyword.arg[len(path) :] in SCOPING_SUFFIXES
        for keyword in call.keywords
    )


def unscoped_uses(path: Path, tenant: set[type[models.Model]]) -> list[str]:
    source = path.read_text(encoding="utf-8")
    where = str(path.relative_to(SRC))
    return scan(source, module_name(path), where, tenant, is_package=path.name == "__init__.py")


def scan(
    source: str, module: str, where: str, tenant: set[type[models.Model]], *, is_package: bool
) -> list[str]:
    tree = ast.parse(source, filename=where)
    visitor = ManagerUses(module, is_package)
    # Names first (an import inside a function may follow a use elsewhere), then the uses.
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            getattr(visitor, f"visit_{type(node).__name__}")(node)
        elif isinstance(node, ast.ClassDef):
            visitor.aliases.setdefault(node.name, f"{module}.{node.name}")
    visitor.visit(tree)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    offences = []
    for manager, name in visitor.found:
        model = resolve(name)
        if model in tenant:
            assert isinstance(model, type)
            if not is_scoped(manager, parents, municipality_path(model) or ""):
                offences.append(f"{where}:{manager.lineno}: {model.__name__}.{manager.attr}")
    return offences


def python_files() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if not is_allowed(path))


def test_tenant_models_are_discovered_from_the_registry():
    labels = {model._meta.label for model in tenant_models()}
    # Direct owners and owners through a parent are both found.
    assert {"procedures.Procedure", "procedures.FormVersion", "applications.Application"} <= labels
    assert "applications.ApplicationEvent" in labels
    assert "tenancy.Prefecture" not in labels


UNSCOPED_EXAMPLE = """
from madoguchi.procedures import models as procedure_models
from madoguchi.tenancy.models import Municipality

from .models import Application


def view(request, pk, municipality):
    from madoguchi.procedures.models import FormVersion

    Application.objects.for_municipality(municipality).get(pk=pk)  # scoped
    Application.objects.filter(municipality=municipality, pk=pk)  # scoped
    FormVersion.objects.filter(procedure__municipality_id=1)  # scoped through the parent
    Application.objects.none()  # empty
    Municipality.objects.get(pk=1)  # the tenant itself
    Application.objects.get(pk=pk)  # line 16: unscoped
    procedure_models.Procedure.objects.filter(slug="x")  # line 17: unscoped
    FormVersion._default_manager.all()  # line 18: unscoped
    Application.objects.filter(procedure__municipality=municipality)  # line 19: not its path


class ChoiceForm:
    choices = Application.objects.all()  # line 23: unscoped, found once
"""


def test_the_scan_finds_unscoped_uses_and_accepts_scoped_ones():
    found = scan(
        UNSCOPED_EXAMPLE,
        "madoguchi.applications.views",
        "example.py",
        tenant_models(),
        is_package=False,
    )
    assert found == [
        "example.py:16: Application.objects",
        "example.py:17: Procedure.objects",
        "example.py:18: FormVersion._default_manager",
        "example.py:19: Application.objects",
        "example.py:23: Application.objects",
    ]


def test_the_named_data_access_modules_exist():
    for module in DATA_ACCESS_MODULES:
        assert resolve(module) is not None, f"{module} is gone: remove it from DATA_ACCESS_MODULES"


def test_no_unscoped_use_of_tenant_models_outside_selectors_and_services():
    tenant = tenant_models()
    offences = [use for path in python_files() for use in unscoped_uses(path, tenant)]
    assert not offences, (
        "Tenant-owned rows are read scoped: Model.objects.for_municipality(m) / .for_scope(s), "
        "filter(municipality=...), tenancy.access.access_tenant_object, or a query inside a "
        "selectors.py/services.py. Scope these:\n" + "\n".join(offences)
    )
