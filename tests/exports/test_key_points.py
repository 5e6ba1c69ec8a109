"""Page 1 of the PDF report opens with the key points (docs/product.md#key-points), read back from the PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from backpainlog.accounts.selectors import local_today, user_zone
from exports import pdf as layout
from exports import report
from exports.keypoints import key_points
from runs import services
from tests.factories import ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def at(user: User, days_ago: int, hour: int = 7) -> dt.datetime:
    return dt.datetime.combine(
        local_today(user) - dt.timedelta(days=days_ago), dt.time(hour), user_zone(user)
    )


def seeded_log(user: User) -> None:
    """Ten weeks: pain 4 → 1, two flare-up episodes, radiating pain twice, a worn pair in
    use, and trail runs that flare up every other time."""
    worn = ShoeFactory(
        user=user, name="Tired pair", initial_distance_m=650_000, replacement_threshold_m=640_000
    )
    for days_ago in range(70, 0, -2):
        early = days_ago > 42
        trail = days_ago % 4 == 0
        flare = trail and days_ago % 8 == 0
        services.run_create(
            user=user,
            started_at=at(user, days_ago),
            distance_m=6_000.0,
            surface="trail" if trail else "road",
            shoe=worn,
            pain_before=4 if early else 1,
            pain_after=(7 if early else 4) if flare else (4 if early else 1),
        )
    for days_ago, radiating in ((30, True), (10, True), (9, False)):
        services.checkin_create(
            user=user, recorded_at=at(user, days_ago, 20), score=2, radiating_leg_pain=radiating
        )


def page_one(user: User) -> str:
    start, end = local_today(user) - dt.timedelta(days=69), local_today(user)
    pdf = layout.render_pdf(report.report_for_user(user, start=start, end=end))
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_page_one_opens_with_every_key_point(alice: User) -> None:
    seeded_log(alice)
    today = local_today(alice)

    text = page_one(alice)

    assert text.index("Key points") < text.index("Summary")
    for title in (
        "Period",
        "Runs and distance",
        "Pain trend",
        "Flare-up episodes",
        "Pain radiating down the leg",
        "Patterns (likely and possible)",
        "Shoes past their replacement distance, still in use",
    ):
        assert title in text
    assert "34 runs, 204.0 km" in text  # the run of 70 days ago is before the period
    # The pain trend: the first four weeks against the last four, and whether 2 points.
    assert "Mean pain score 4.1/10 in the first four weeks" in text
    assert "down 2.7 points, a change of at least 2 points, the size patients notice" in text
    # Radiating leg pain: two days, the latest named like "3 Dec 2026".
    latest = today - dt.timedelta(days=10)
    assert f"On 2 days (check-ins); the latest {latest.day} {latest:%b} {latest.year}." in text
    assert "Tired pair:" in text
    assert "Surface: trail" in text


def test_the_key_points_of_an_empty_period_say_so(alice: User) -> None:
    start = local_today(alice) - dt.timedelta(days=20)
    points = {
        point.title: point.lines
        for point in key_points(report.report_for_user(alice, start=start, end=local_today(alice)))
    }
    assert points["Flare-up episodes"] == ("None in the period.",)
    assert points["Pain trend"] == (
        "The period is shorter than 8 weeks: too short to compare four weeks with four.",
    )
    assert points["Shoes past their replacement distance, still in use"] == ("None.",)
    assert points["Runs and distance"] == ("0 runs, 0.0 km.",)


def test_more_than_five_episodes_list_the_latest_five_and_n_more(alice: User) -> None:
    for days_ago in range(60, 0, -5):  # a flare-up every 5 days: 12 episodes
        services.run_create(
            user=alice, started_at=at(alice, days_ago), distance_m=5_000, pain_before=1, pain_after=6
        )
    start = local_today(alice) - dt.timedelta(days=69)
    [episodes] = [
        point
        for point in key_points(report.report_for_user(alice, start=start, end=local_today(alice)))
        if point.title == "Flare-up episodes"
    ]
    assert episodes.lines[0] == "12 episodes (flare-ups at most 3 days apart); the 5 latest:"
    assert len(episodes.lines) == 1 + 5 + 1
    assert episodes.lines[-1] == "and 7 more (listed further on)."
    latest = local_today(alice) - dt.timedelta(days=5)
    assert episodes.lines[1] == f"{latest.day} {latest:%b} {latest.year}: 1 flare day, peak 6/10"


def test_the_report_speaks_of_the_runner_in_the_third_person(alice: User) -> None:
    """A clinician reads it: "the runner's longest run", never "your"."""
    seeded_log(alice)
    services.run_create(
        user=alice, started_at=at(alice, 0, 6), distance_m=20_000.0, pain_before=1, pain_after=1
    )
    services.checkin_create(user=alice, recorded_at=at(alice, 0, 21), score=8)
    start, end = local_today(alice) - dt.timedelta(days=69), local_today(alice)
    pdf = layout.render_pdf(report.report_for_user(alice, start=start, end=end))

    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())

    assert "longer than the runner's longest run of the 30 days before" in text
    assert "above the runner's usual" in text
    assert " your " not in text.lower()
    assert " you " not in text.lower()
