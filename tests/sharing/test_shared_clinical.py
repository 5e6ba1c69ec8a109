"""The shared page shows the red flags before anything else, then the questionnaires,
where it hurt and the treatments of the shared period (docs/product.md#clinical-data-in-the-exports)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.test import Client

from backpainlog.accounts.selectors import local_today, user_zone
from runs.charts import long_date
from runs.services import checkin_create
from tests.factories import QuestionnaireResponseFactory, TreatmentFactory
from tests.sharing.helpers import make_link


def local_noon(user: User, days_ago: int) -> dt.datetime:
    return dt.datetime.combine(
        local_today(user) - dt.timedelta(days=days_ago), dt.time(12), tzinfo=user_zone(user)
    )


def shared_page(user: User) -> str:
    today = local_today(user)
    _, token = make_link(user, start=today - dt.timedelta(days=30), end=today)
    response = Client().get(f"/shared/{token}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_red_flag_comes_first(alice: User) -> None:
    checkin_create(user=alice, recorded_at=local_noon(alice, 4), score=5, red_flags=["bladder_bowel"])
    checkin_create(user=alice, recorded_at=local_noon(alice, 3), score=4, pain_regions=["below_knee_right"])

    html = shared_page(alice)

    flag = html.index("New symptoms that need a doctor the same day were recorded")
    assert flag < html.index("<dt>Period</dt>") < html.index('id="summary-title"')
    assert (
        f"new trouble controlling the bladder or bowel on {long_date(local_today(alice) - dt.timedelta(days=4))}"
        in html
    )
    assert 'class="strong urgent"' in html
    assert "<dt>Pain below the knee</dt>" in html
    assert "Right leg, below the knee: marked 1 time" in html


def test_questionnaires_and_treatments_of_the_period(alice: User) -> None:
    QuestionnaireResponseFactory(user=alice, completed_at=local_noon(alice, 20), ticked=12)
    QuestionnaireResponseFactory(user=alice, completed_at=local_noon(alice, 2), ticked=6)
    TreatmentFactory(user=alice, name="", started_at=local_noon(alice, 5))
    TreatmentFactory(user=alice, name="", started_at=local_noon(alice, 50))  # before the period

    html = shared_page(alice)

    assert "New symptoms that need a doctor" not in html
    assert "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)" in html
    assert "Roland-Morris Disability Questionnaire (RMDQ)" in html
    assert "Treatments (1)" in html
    assert "Physiotherapy session" in html
    assert "chart-treatment" in html  # its marker on the weekly chart
