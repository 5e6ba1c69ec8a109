"""One rule for "waiting for pain scores": the runs list's **Add pain** badge, its
``?needs_pain=1`` filter and the dashboard's count agree on every run."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from runs.models import Run
from runs.selectors import runs_needing_pain_count
from tests.factories import RunFactory


def test_the_badge_the_filter_and_the_count_agree(alice: User, alice_client: Client) -> None:
    runs = [
        RunFactory(
            user=alice,
            source=source,
            pain_before=before,
            pain_after=after,
            started_at=timezone.now() - dt.timedelta(days=n),
        )
        for n, (source, before, after) in enumerate(
            itertools.product([Run.Source.MANUAL, Run.Source.FIT, Run.Source.CSV], [None, 2], [None, 3])
        )
    ]
    html = alice_client.get("/runs/").content.decode()
    filtered = alice_client.get("/runs/?needs_pain=1").content.decode()

    def row(page: str, run: Run) -> str | None:
        marker = f'id="run-{run.pk}"'
        if marker not in page:
            return None
        start = page.index(marker)
        return page[start : page.index("</li>", start)]

    waiting = {
        run.pk
        for run in runs
        if run.source != Run.Source.MANUAL and None in (run.pain_before, run.pain_after)
    }
    assert {run.pk for run in runs if "Add pain" in (row(html, run) or "")} == waiting
    assert {run.pk for run in runs if row(filtered, run) is not None} == waiting
    assert runs_needing_pain_count(alice) == len(waiting) == 6
