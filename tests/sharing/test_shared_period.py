"""A share link shows its period and nothing else (the weekly rows included), names the
runner without the sign-in name, and counts repeated opens into one access an hour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.models import AuditEvent
from backpainlog.accounts.selectors import user_zone
from exports import report
from runs.services import analytics_refresh
from sharing.models import ShareAccess
from tests.factories import RunFactory, UserFactory
from tests.sharing.helpers import make_link

# A Wednesday two weeks back: its week began on the Monday before, outside the period.
WEDNESDAY = dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 12)


@pytest.fixture
def runner(db: None) -> User:
    return UserFactory(username="zq-sign-in-name")


def at_noon(user: User, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=user_zone(user))


@pytest.fixture
def week(runner: User) -> None:
    RunFactory(user=runner, started_at=at_noon(runner, WEDNESDAY - dt.timedelta(days=6)), distance_m=4000)
    RunFactory(user=runner, started_at=at_noon(runner, WEDNESDAY - dt.timedelta(days=2)), distance_m=10_000)
    RunFactory(user=runner, started_at=at_noon(runner, WEDNESDAY), distance_m=5000, notes="SHARED-RUN")
    RunFactory(user=runner, started_at=at_noon(runner, WEDNESDAY + dt.timedelta(days=1)), notes="AFTER")
    analytics_refresh(runner)


def test_the_weekly_rows_count_only_the_shared_days(runner: User, week: None) -> None:
    """A link for 12 Nov showed the run of 10 Nov in its week and "+8 %" against the week before."""
    _, token = make_link(runner, start=WEDNESDAY, end=WEDNESDAY)

    response = Client().get(f"/shared/{token}/")

    assert response.status_code == 200
    [row] = response.context["report"].trends.weeks
    assert (row.distance_m, row.run_count, row.change_pct) == (5000, 1, None)
    page = response.content.decode()
    assert "SHARED-RUN" in page
    assert "AFTER" not in page


def test_the_shared_pdf_is_built_from_the_period_alone(runner: User, week: None) -> None:
    data = report.report_for_user(runner, start=WEDNESDAY, end=WEDNESDAY, shared=True)
    [row] = data.trends.weeks
    assert (row.distance_m, row.change_pct) == (5000, None)
    # The owner's own report keeps the whole week and its change.
    [own] = report.report_for_user(runner, start=WEDNESDAY, end=WEDNESDAY).trends.weeks
    assert own.distance_m == 15_000
    assert own.change_pct is not None


def test_the_shared_page_and_pdf_never_show_the_sign_in_name(runner: User, week: None) -> None:
    _, token = make_link(runner, start=WEDNESDAY, end=WEDNESDAY)
    client = Client()

    page = client.get(f"/shared/{token}/").content.decode()
    pdf = client.get(f"/shared/{token}/report.pdf").content

    assert "zq-sign-in-name" not in page
    assert "The runner" in page
    for spelling in (b"zq-sign-in-name", "zq-sign-in-name".encode("utf-16-be")):
        assert spelling not in pdf
    assert report.report_for_user(runner, start=WEDNESDAY, end=WEDNESDAY, shared=True).owner == "the runner"


def test_the_runners_own_name_is_shown_when_there_is_one(runner: User) -> None:
    runner.first_name, runner.last_name = "Ana", "Novak"
    runner.save()
    _, token = make_link(runner)
    assert "Ana Novak" in Client().get(f"/shared/{token}/").content.decode()


def test_200_opens_are_one_access_and_one_event_with_their_count(runner: User, week: None) -> None:
    """200 opens wrote 200 events and pushed the earlier ones out of "Recent accesses"."""
    link, token = make_link(runner)
    client = Client()
    assert client.get(f"/shared/{token}/runs.csv").status_code == 200
    for _ in range(200):
        assert client.get(f"/shared/{token}/").status_code == 200

    accesses = {access.kind: access.count for access in ShareAccess.objects.filter(link=link)}
    assert accesses == {"csv": 1, "page": 200}
    opened = AuditEvent.objects.filter(user=runner, kind=AuditEvent.Kind.SHARE_OPENED)
    assert opened.count() == 2
    page_event = opened.get(detail__opened="page")
    assert page_event.detail["count"] == 200
    assert page_event.summary() == "“Physio”: report page, 200 times this hour"

    owner = Client()
    owner.force_login(runner)
    share_page = owner.get("/share/").content.decode()
    assert "Opened 201 times" in share_page
    assert "200 times that hour" in share_page
    assert "CSV" in share_page  # the earlier access is still listed
    activity = owner.get("/settings/activity/").content.decode()
    assert "Share link created" in activity


def test_the_next_hour_starts_a_new_access(runner: User) -> None:
    link, token = make_link(runner)
    Client().get(f"/shared/{token}/")
    ShareAccess.objects.update(accessed_at=ShareAccess.objects.get().accessed_at - dt.timedelta(hours=1))
    AuditEvent.objects.filter(kind=AuditEvent.Kind.SHARE_OPENED).update(
        occurred_at=AuditEvent.objects.get(kind=AuditEvent.Kind.SHARE_OPENED).occurred_at
        - dt.timedelta(hours=1)
    )
    Client().get(f"/shared/{token}/")
    assert sorted(ShareAccess.objects.filter(link=link).values_list("count", flat=True)) == [1, 1]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SHARE_OPENED).count() == 2
