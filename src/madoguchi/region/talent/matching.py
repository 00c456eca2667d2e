"""Matching a need with specialists: a small transparent score out of 100.

Four features, each with fixed maximum points and a sentence saying why it scored what it did,
so the DX team (and the municipality) can check every number by hand:

- skills (40): share of the need's fields the specialist covers;
- role (25): the role asked for, or not;
- area (20): based in the municipality 20, covers it on visits 15, online support where both
  accept it 8, else 0;
- availability (15): free days a month (days offered minus active assignments) against the days
  needed, halved when the specialist can only start after the requested start.

Pure functions over dataclasses (no ORM), tested with the demo's realistic data set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

SKILLS_POINTS = 40
ROLE_POINTS = 25
AREA_BASE, AREA_COVERS, AREA_REMOTE = 20, 15, 8
AVAILABILITY_POINTS = 15


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    role: str
    skills: frozenset[str]
    base_id: int | None
    covers: frozenset[int]
    remote_ok: bool
    free_days: int
    available_from: date | None = None


@dataclass(frozen=True)
class Wanted:
    role: str
    skills: frozenset[str]
    municipality_id: int
    days: int
    remote_ok: bool
    starts_on: date | None = None


@dataclass(frozen=True)
class Feature:
    key: str  # skills | role | area | availability
    points: int
    max_points: int
    reason: str


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    features: tuple[Feature, ...]

    @property
    def score(self) -> int:
        return sum(f.points for f in self.features)

    def as_json(self) -> list[dict[str, object]]:
        return [
            {"key": f.key, "points": f.points, "max": f.max_points, "reason": f.reason}
            for f in self.features
        ]


def _skills(wanted: Wanted, c: Candidate, label: dict[str, str]) -> Feature:
    if not wanted.skills:
        return Feature("skills", SKILLS_POINTS, SKILLS_POINTS, _("求める分野の指定がないため満点"))
    shared = sorted(wanted.skills & c.skills)
    points = round(SKILLS_POINTS * len(shared) / len(wanted.skills))
    names = "、".join(label.get(s, s) for s in shared)
    counts = {"wanted": len(wanted.skills), "shared": len(shared), "names": names}
    reason = (
        _("求める%(wanted)d分野のうち%(shared)d分野が一致（%(names)s）") % counts
        if shared
        else _("求める%(wanted)d分野のうち一致する分野はない") % counts
    )
    return Feature("skills", points, SKILLS_POINTS, reason)


def _role(wanted: Wanted, c: Candidate, label: dict[str, str]) -> Feature:
    if wanted.role == c.role:
        reason = _("役割が一致（%(role)s）") % {"role": label.get(c.role, c.role)}
        return Feature("role", ROLE_POINTS, ROLE_POINTS, reason)
    reason = _("役割が違う（求める役割：%(wanted)s、本人：%(own)s）") % {
        "wanted": label.get(wanted.role, wanted.role),
        "own": label.get(c.role, c.role),
    }
    return Feature("role", 0, ROLE_POINTS, reason)


def _area(wanted: Wanted, c: Candidate) -> Feature:
    if c.base_id == wanted.municipality_id:
        return Feature("area", AREA_BASE, AREA_BASE, _("拠点が同じ市町村"))
    if wanted.municipality_id in c.covers:
        return Feature("area", AREA_COVERS, AREA_BASE, _("訪問できる市町村に含まれる"))
    if c.remote_ok and wanted.remote_ok:
        return Feature("area", AREA_REMOTE, AREA_BASE, _("訪問圏外だが、オンラインで支援できる"))
    return Feature("area", 0, AREA_BASE, _("訪問圏外で、オンラインでの支援も条件が合わない"))


def _availability(wanted: Wanted, c: Candidate) -> Feature:
    free = max(0, c.free_days)
    share = min(1.0, free / wanted.days) if wanted.days else 1.0
    reason = _("月%(days)d日が必要、空きは月%(free)d日") % {"days": wanted.days, "free": free}
    if wanted.starts_on and c.available_from and c.available_from > wanted.starts_on:
        share /= 2
        reason = _("%(reason)s（始められるのは%(day)sから）") % {
            "reason": reason,
            "day": c.available_from.isoformat(),
        }
    return Feature("availability", round(AVAILABILITY_POINTS * share), AVAILABILITY_POINTS, reason)


def match(wanted: Wanted, candidate: Candidate, labels: dict[str, str]) -> Match:
    return Match(
        candidate,
        (
            _skills(wanted, candidate, labels),
            _role(wanted, candidate, labels),
            _area(wanted, candidate),
            _availability(wanted, candidate),
        ),
    )


def rank(wanted: Wanted, candidates: list[Candidate], labels: dict[str, str]) -> list[Match]:
    """Every candidate's match, best first (ties: the name, then the id, so the order is stable)."""
    matches = [match(wanted, c, labels) for c in candidates]
    return sorted(matches, key=lambda m: (-m.score, m.candidate.name, m.candidate.id))
