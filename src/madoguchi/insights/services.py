"""Writes of the insights: a municipality's targets."""

from __future__ import annotations

from django.db import transaction

from .models import InsightsTarget


@transaction.atomic
def targets_set(
    *, municipality_id: int, online_target_percent: int, wait_target_minutes: int
) -> InsightsTarget:
    """Store the municipality's targets (one row per municipality).

    The figures follow at once: the dashboards count "called within the target" from the
    rolled wait histograms whenever the target differs from the one the rollup was built for
    (rollups.Facts.visit_days), and the next nightly rollup re-rolls every day for the new target
    (rollups.rollup_build). The staffing page's cache is keyed by the target.
    """
    row = InsightsTarget.objects.filter(municipality_id=municipality_id).first()
    row = row or InsightsTarget(municipality_id=municipality_id)
    row.online_target_percent = online_target_percent
    row.wait_target_minutes = wait_target_minutes
    row.full_clean()
    row.save()
    return row
