"""The home page's questionnaire cards, for the dashboard view of ``runs``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.safestring import mark_safe

from clinical import charts, selectors


def dashboard_context(user: User) -> dict[str, Any]:
    """The home page's questionnaire cards: what is due, and each score over time."""
    outcomes = selectors.outcomes_for_user(user)
    # When each was last answered: the newest of the scores just read.
    last = {outcome.instrument.key: outcome.latest.completed_at for outcome in outcomes if outcome.latest}
    return {
        "questionnaires_due": [
            status for status in selectors.questionnaires_for_user(user, last=last) if status.is_due
        ],
        "outcomes": [
            {
                "outcome": outcome,
                "chart": mark_safe(charts.score_trend_svg(outcome.instrument.key, outcome.points)),  # noqa: S308 (escaped by charts)
            }
            for outcome in outcomes
        ],
    }
