"""What each role sees first on the staff home: panels the apps contribute.

The staff home lives in accounts, below the apps whose work it links to, so each app registers
its own panels in a `staff_home.py` module (found by autodiscovery):

    @home_panel
    def counter(user: StaffUser) -> Panel | None: ...

A builder returns None when the user has nothing to do there (its permission decides). Panels
marked `primary_for` a role come first for that role: the counter clerk lands on the console,
the back office on the inbox, the manager on the figures, the administrator on configuration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules

from .models import StaffUser


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    count: int | None = None


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    links: list[Link] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    note: str = ""
    primary_for: frozenset[str] = frozenset()
    order: int = 100


PanelBuilder = Callable[[StaffUser], "Panel | None"]

_BUILDERS: list[PanelBuilder] = []
_discovered = False


def home_panel(builder: PanelBuilder) -> PanelBuilder:
    if builder not in _BUILDERS:
        _BUILDERS.append(builder)
    return builder


def panels_for(user: StaffUser) -> list[Panel]:
    """The user's panels: their role's own work first, then the rest by order."""
    global _discovered
    if not _discovered:
        autodiscover_modules("staff_home")
        _discovered = True
    panels = [p for p in (build(user) for build in _BUILDERS) if p is not None]
    return sorted(panels, key=lambda p: (user.role not in p.primary_for, p.order, p.key))
