"""The sums over each pair's runs that the pairs store: their logged distance, how many
runs they were worn on, and the first of them (docs/analytics.md#keeping-the-figures-current).

Stored rather than summed when read: the dashboard shows every pair's wear, and after
each write it summed the whole log again for it (a large part of its first render on
ten years of runs). Kept by :func:`runs.services.analytics_refresh`, which every write of
runs calls, and by the writes of pairs; built from the model classes given, so that the
migration that added them fills them in by the same rule."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, Count, Min, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def logged_totals(runs: QuerySet[Any], pair_field: str) -> dict[str, Any]:
    """``QuerySet.update`` arguments that set the pairs' ``logged_distance_m``,
    ``run_count`` and ``first_run_at`` from ``runs``, whose foreign key to the pair is ``pair_field`` (``shoe`` or ``insole``)."""
    of_pair = runs.filter(**{pair_field: OuterRef("pk")}).order_by().values(pair_field)

    def over_runs(aggregate: Aggregate) -> Subquery:
        return Subquery(of_pair.annotate(value=aggregate).values("value"))

    return {
        "logged_distance_m": Coalesce(over_runs(Sum("distance_m")), Value(0.0)),
        "run_count": Coalesce(over_runs(Count("pk")), Value(0)),
        "first_run_at": over_runs(Min("started_at")),
    }
