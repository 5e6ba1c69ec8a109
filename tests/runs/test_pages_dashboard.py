"""The dashboard (docs/product.md#dashboard): alerts with their reasons and definitions, the trend charts with
text alternatives and a range picker that swaps only them, shoe wear and the patterns."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.template import defaultfilters
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from backpainlog.accounts.models import Profile
from backpainlog.accounts.selectors import local_today, profile_of, user_zone
from backpainlog.templatetags import backpainlog as backpainlog_filters
from runs import services
from runs.analytics import DEFINITIONS
from tests.factories import ShoeFactory

HTMX = {"HX-Request": "true"}


def at(user: User, days_ago: int, hour: int = 7) -> dt.datetime:
    return dt.datetime.combine(
        local_today(user) - dt.timedelta(days=days_ago), dt.time(hour), user_zone(user)
    )


def spike_and_flare(user: User) -> None:
    services.run_create(user=user, started_at=at(user, 9), distance_m=5_000, pain_before=1, pain_after=1)
    services.run_create(user=user, started_at=at(user, 2), distance_m=9_000, pain_before=1, pain_after=6)


def test_alerts_say_what_triggered_them_and_link_the_definition(alice: User, alice_client: Client) -> None:
    spike_and_flare(alice)

    html = alice_client.get("/").content.decode()

    assert "Long-run spike (moderate)" in html
    assert "9.00 km" in html
    assert "80 % longer than your longest run of the 30 days before" in html
    assert "Pain flare-up after a run" in html
    assert 'href="/definitions/#long_run_spike"' in html
    assert 'href="/definitions/#pain_flare"' in html
    assert "severity-alert" in html


def test_a_pair_past_its_distance_is_an_alert_until_retired(alice: User, alice_client: Client) -> None:
    shoe = ShoeFactory(
        user=alice, name="Tired pair", initial_distance_m=650_000, replacement_threshold_m=640_000
    )
    assert "Tired pair: time to replace" in alice_client.get("/").content.decode()

    from shoes.services import gear_retire

    gear_retire(shoe)
    assert "Tired pair: past the replacement distance" not in alice_client.get("/").content.decode()


def test_old_flags_are_no_alerts(alice: User, alice_client: Client) -> None:
    services.run_create(user=alice, started_at=at(alice, 40), distance_m=5_000, pain_before=1, pain_after=8)

    html = alice_client.get("/").content.decode()

    assert '<li class="alert' not in html
    assert "Nothing to flag" in html
    # The run itself still shows its flare-up, as a badge in the recent runs.
    assert 'class="badge flag-badge severity-alert" href="/definitions/#pain_flare"' in html


def test_bob_sees_none_of_alices_alerts_or_trends(alice: User, bob_client: Client) -> None:
    spike_and_flare(alice)

    html = bob_client.get("/?weeks=52").content.decode()

    assert "Long-run spike" not in html
    assert "9.00 km" not in html
    assert "No pain recorded in this period" in html


def test_charts_are_svg_with_tables_beside_them(alice: User, alice_client: Client) -> None:
    spike_and_flare(alice)

    html = alice_client.get("/?weeks=4").content.decode()

    svgs = [html[start : html.index("</svg>", start) + 6] for start in _all(html, "<svg")]
    kinds = [
        ET.fromstring(svg).get("class") for svg in svgs if "chart" in (ET.fromstring(svg).get("class") or "")
    ]
    # No ACWR on the home page (docs/analytics.md#acwr): weekly distance, session load, the calendar.
    assert kinds == ["chart chart-weekly", "chart chart-load", "chart chart-calendar"]
    assert "ACWR" not in html
    assert "0.8–1.3" not in html
    assert all('role="img"' in svg for svg in svgs[:3])
    assert html.count("<table>") == 2
    assert "9.00 km" in html  # the weekly table
    assert "6/10" in html  # the pain-by-day table


def _all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


@pytest.mark.parametrize(("weeks", "days"), [(4, 27), (12, 83), (26, 181), (52, 363)])
def test_the_range_picker_sets_the_period(alice: User, alice_client: Client, weeks: int, days: int) -> None:
    today = local_today(alice)
    html = alice_client.get(f"/?weeks={weeks}").content.decode()

    start = today - dt.timedelta(days=days)
    assert f"Trends, {start.day} {start:%b %Y} – {today.day} {today:%b %Y}" in html
    assert f'href="?weeks={weeks}" hx-get="?weeks={weeks}"' in html
    assert f'aria-current="true">{weeks} weeks' in html


def test_the_range_picker_swaps_only_the_trends(alice: User, alice_client: Client) -> None:
    spike_and_flare(alice)

    response = alice_client.get("/?weeks=26", headers=HTMX)

    html = response.content.decode().strip()
    assert html.startswith('<section id="trends"')
    assert "Alerts" not in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_cached_trends_follow_every_write(alice: User, alice_client: Client) -> None:
    assert "No pain recorded in this period" in alice_client.get("/?weeks=4").content.decode()

    services.run_create(user=alice, started_at=at(alice, 1), distance_m=7_000, pain_before=1, pain_after=7)

    html = alice_client.get("/?weeks=4", headers=HTMX).content.decode()
    assert "<td>7/10</td>" in html
    assert "7.00 km" in html


def test_cached_trends_are_never_another_users(
    alice: User, bob: User, alice_client: Client, bob_client: Client
) -> None:
    spike_and_flare(alice)
    assert "<td>6/10</td>" in alice_client.get("/?weeks=4").content.decode()

    assert "<td>6/10</td>" not in bob_client.get("/?weeks=4").content.decode()


def test_a_custom_period(alice: User, alice_client: Client) -> None:
    html = alice_client.get("/?from=2026-01-05&to=2026-02-01").content.decode()

    assert "Trends, 5 Jan 2026 – 1 Feb 2026" in html
    assert 'aria-current="true"' not in html


@pytest.mark.parametrize(
    "query", ["from=2026-02-30", "from=2026-03-10&to=2026-03-01", "from=2020-01-01&to=2026-01-01", "weeks=5"]
)
def test_a_bad_period_says_so_and_shows_the_default(alice: User, alice_client: Client, query: str) -> None:
    for headers in ({}, HTMX):
        response = alice_client.get(f"/?{query}", headers=headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="error"' in html
        start = local_today(alice) - dt.timedelta(days=83)
        assert f"Trends, {start.day} {start:%b %Y}" in html


def test_patterns_show_their_counts_and_verdict(alice: User, alice_client: Client) -> None:
    worn = ShoeFactory(user=alice, name="Worn", initial_distance_m=700_000, replacement_threshold_m=640_000)
    fresh = ShoeFactory(user=alice, name="Fresh", initial_distance_m=0)
    for n in range(10):
        for shoe, pain_after in ((worn, 5 if n < 8 else 1), (fresh, 3 if n < 1 else 1)):
            services.run_create(
                user=alice,
                started_at=at(alice, 60 + 2 * n + (shoe == fresh)),
                distance_m=5_000,
                shoe=shoe,
                pain_before=1,
                pain_after=pain_after,
            )

    html = alice_client.get("/").content.decode()

    assert "Shoes past their replacement distance" in html
    assert "8 of 10 times" in html
    assert "not proof of cause" in html
    assert "verdict-likely" in html
    assert "Not enough data yet" in html  # e.g. the long-run spike, never seen here
    # Judged patterns first; those without enough data folded away under them.
    judged, without_data = html.split("Not enough data yet")
    assert "verdict-likely" in judged
    assert "verdict-" not in without_data.split("</details>")[0]
    assert "Long-run spike" in without_data.split("</details>")[0]


def test_definitions_page_explains_every_flag_and_the_red_flags(client: Client, db: None) -> None:
    html = client.get("/definitions/").content.decode()

    for kind, definition in DEFINITIONS.items():
        assert f'id="{kind}"' in html
        assert escape(definition.source) in html
    assert "Frandsen" in html
    assert "Williams" in html
    assert 'id="red-flags"' in html
    assert "bladder or bowel" in html


@pytest.mark.parametrize("weeks", [4, 52])
def test_dashboard_query_count_does_not_grow_with_the_log(alice: User, bob: User, weeks: int) -> None:
    from tests.runs.test_api_analytics import history

    history(alice, 10)
    history(bob, 1_000)
    counts = []
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        for headers in ({}, HTMX):
            cache.clear()  # the trends are computed, not served from the cache
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/?weeks={weeks}", headers=headers).status_code == 200
            counts.append(len(queries))

    assert counts[:2] == counts[2:]


def test_a_new_account_with_a_reused_id_never_sees_the_old_ones_page(
    alice: User, alice_client: Client
) -> None:
    spike_and_flare(alice)
    assert "<td>6/10</td>" in alice_client.get("/?weeks=4").content.decode()
    pk, version = alice.pk, profile_of(alice).analytics_version
    alice.delete()

    newcomer = User.objects.create_user(id=pk, username="newcomer", password="x" * 12)
    Profile.objects.filter(pk=profile_of(newcomer).pk).update(analytics_version=version)
    client = Client()
    client.force_login(newcomer)
    html = client.get("/?weeks=4").content.decode()

    assert "<td>6/10</td>" not in html
    assert "Long-run spike" not in html


def test_run_and_check_in_lists_show_flag_badges(alice: User, alice_client: Client) -> None:
    spike_and_flare(alice)
    for days in (5, 4, 3):
        services.checkin_create(user=alice, recorded_at=at(alice, days, 20), score=1)
    services.checkin_create(user=alice, recorded_at=at(alice, 1, 20), score=8)

    runs = alice_client.get("/runs/").content.decode()
    checkins = alice_client.get("/pain/").content.decode()

    assert ">Spike (moderate)<" in runs
    assert 'href="/definitions/#long_run_spike"' in runs
    assert ">FLARE<" in runs
    assert checkins.count('href="/definitions/#checkin_flare"') == 1


@pytest.mark.parametrize("format_", ["D j M Y", "j M Y", "D j M"])
def test_the_day_filter_writes_what_the_date_filter_does(format_: str) -> None:
    first = dt.date(1999, 12, 27)
    for offset in range(0, 800, 3):
        day = first + dt.timedelta(days=offset)
        assert backpainlog_filters.day(day, format_) == defaultfilters.date(day, format_)
    # Anything else is the date filter's.
    moment = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    assert backpainlog_filters.day(moment, "D j M Y, H:i") == defaultfilters.date(moment, "D j M Y, H:i")
    assert backpainlog_filters.day(None, format_) == ""


def test_alerts_from_the_trends_log_are_those_the_queries_find(alice: User) -> None:
    """The dashboard's alerts take their flags from the log its trends read, which goes on
    past the period's last day: a run dated ahead (up to a day is allowed) is alerted on,
    not counted in the period's weeks."""
    from django.utils import timezone

    from runs.selectors import dashboard_alerts, trends_for_user

    spike_and_flare(alice)
    services.run_create(user=alice, started_at=at(alice, 20), distance_m=5_000, pain_before=1, pain_after=7)
    for days in (5, 4, 3):
        services.checkin_create(user=alice, recorded_at=at(alice, days, 20), score=1)
    services.checkin_create(user=alice, recorded_at=at(alice, 1, 20), score=8)
    ahead = timezone.now() + dt.timedelta(hours=23, minutes=50)  # tomorrow, but just after midnight
    services.run_create(user=alice, started_at=ahead, distance_m=4_000, pain_before=1, pain_after=8)
    today = local_today(alice)
    trends = trends_for_user(alice, start=today - dt.timedelta(weeks=4), end=today)

    assert trends.recent is not None
    from_trends = dashboard_alerts(alice, shoes_in_use=[], recent=trends.recent)
    assert from_trends == dashboard_alerts(alice, shoes_in_use=[])
    kinds = [flag.kind for flag in from_trends]
    assert "pain_flare" in kinds
    assert "checkin_flare" in kinds
    assert "long_run_spike" in kinds
    assert any(flag.date == timezone.localtime(ahead, user_zone(alice)).date() for flag in from_trends)
    tomorrow = timezone.localtime(ahead, user_zone(alice)).date() > today
    assert sum(week.run_count for week in trends.weeks) == (3 if tomorrow else 4)
