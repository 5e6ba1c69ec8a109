"""The clinician's PDF report: the figures it gathers (tested apart from the layout), the
PDF it renders (any text, any length), and who may download it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from backpainlog.accounts.selectors import local_today, user_zone
from backpainlog.accounts.services import profile_update
from exports import pdf as layout
from exports import report
from runs.models import Run
from runs.services import analytics_refresh
from tests.conftest import token_client
from tests.factories import PainCheckinFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def local_noon(user: User, days_ago: int) -> dt.datetime:
    return dt.datetime.combine(
        local_today(user) - dt.timedelta(days=days_ago), dt.time(12), tzinfo=user_zone(user)
    )


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def make_log(user: User, days: int, *, notes: str = "") -> None:
    shoe = ShoeFactory(
        user=user, name="Clifton 9", started_on=local_today(user) - dt.timedelta(days=days + 1)
    )
    for day in range(days):
        RunFactory(
            user=user,
            started_at=local_noon(user, day),
            distance_m=5000.0 + (day % 7) * 1000,
            shoe=shoe,
            pain_before=day % 3,
            pain_after=day % 3 + (3 if day % 5 == 0 else 0),
            notes=notes,
        )
    analytics_refresh(user)


# ------------------------------------------------------------------------- the period


def test_default_period_is_the_last_26_weeks(alice: User) -> None:
    start, end = report.resolve_period(alice, None, None)
    assert end == local_today(alice)
    assert (end - start).days + 1 == 26 * 7


def test_open_start_of_a_share_covers_the_whole_log(alice: User) -> None:
    RunFactory(user=alice, started_at=local_noon(alice, 400))
    start, end = report.resolve_period(alice, None, None, whole_log=True)
    assert start == local_today(alice) - dt.timedelta(days=400)
    assert end == local_today(alice)


def test_a_start_ahead_of_today_is_a_one_day_period(alice: User) -> None:
    ahead = local_today(alice) + dt.timedelta(days=5)
    assert report.resolve_period(alice, ahead, None) == (ahead, ahead)


# --------------------------------------------------------------------------- the data


def test_report_gathers_the_period_only(alice: User) -> None:
    RunFactory(user=alice, started_at=local_noon(alice, 2), distance_m=10_000.0, pain_before=1, pain_after=5)
    RunFactory(user=alice, started_at=local_noon(alice, 3), distance_m=3_000.0, activity="walk")
    RunFactory(user=alice, started_at=local_noon(alice, 40), distance_m=99_000.0)
    PainCheckinFactory(user=alice, recorded_at=local_noon(alice, 1), score=4)
    analytics_refresh(alice)
    today = local_today(alice)

    data = report.report_for_user(alice, start=today - dt.timedelta(days=10), end=today)

    assert [run.distance_m for run in data.runs] == [10_000.0, 3_000.0]  # newest first, day 40 left out
    assert data.totals.runs == 1
    assert data.totals.walks == 1
    assert data.totals.run_distance_m == 10_000.0
    assert data.totals.walk_distance_m == 3_000.0
    assert data.totals.pain_after_avg == pytest.approx(4.0)  # (5 + 3) / 2
    assert data.totals.checkins == 1
    assert data.totals.flare_ups == 1  # the run: pain 1 → 5
    assert [flag.kind for flag in data.flare_ups] == ["pain_flare"]


def test_report_never_includes_another_users_data(alice: User, bob: User) -> None:
    RunFactory(user=alice, started_at=local_noon(alice, 1), notes="alice's run")
    RunFactory(user=bob, started_at=local_noon(bob, 1), notes="bob's run")
    ShoeFactory(user=bob, name="Bob's shoes")
    analytics_refresh(alice)
    analytics_refresh(bob)
    start, end = report.resolve_period(alice, None, None)

    data = report.report_for_user(alice, start=start, end=end)

    assert [run.notes for run in data.runs] == ["alice's run"]
    assert all(shoe.name != "Bob's shoes" for shoe in data.shoes)


def test_spikes_carry_their_evidence(alice: User) -> None:
    for day, distance in ((20, 5000.0), (10, 5000.0), (1, 12_000.0)):
        RunFactory(user=alice, started_at=local_noon(alice, day), distance_m=distance)
    analytics_refresh(alice)
    start, end = report.resolve_period(alice, None, None)

    data = report.report_for_user(alice, start=start, end=end)

    spike = next(flag for flag in data.spikes if flag.kind == "long_run_spike")
    assert spike.title == "Long-run spike (large)"
    assert "140 %" in spike.detail
    assert report.run_flag_labels(data.runs[0])[0] == "Spike (large)"


def test_shoe_timeline_in_the_period(alice: User) -> None:
    shoe = ShoeFactory(
        user=alice, name="Worn pair", initial_distance_m=630_000.0, started_on=dt.date(2020, 1, 1)
    )
    RunFactory(user=alice, started_at=local_noon(alice, 5), shoe=shoe, distance_m=5000.0)
    RunFactory(user=alice, started_at=local_noon(alice, 2), shoe=shoe, distance_m=8000.0)
    analytics_refresh(alice)
    start, end = report.resolve_period(alice, None, None)

    [use] = report.report_for_user(alice, start=start, end=end).shoes

    assert use.name == "Worn pair"
    assert use.first_use == local_today(alice) - dt.timedelta(days=5)
    assert use.last_use == local_today(alice) - dt.timedelta(days=2)
    assert use.sessions == 2
    assert use.distance_m == 13_000.0
    assert use.odometer_m == 643_000.0
    assert use.status == "replace"
    assert ("100 %", local_today(alice) - dt.timedelta(days=2)) in use.crossings


def test_patterns_show_counts_and_intervals() -> None:
    from runs.analytics.patterns import association

    item = association(
        exposure="shoe_worn",
        label="Shoes past their replacement distance",
        who="runs in worn shoes",
        exposed_runs=8,
        exposed_flares=5,
        unexposed_runs=30,
        unexposed_flares=3,
    )
    text = report.pattern_figures(item)
    assert text.startswith("5/8 vs 3/30 · RR 6.2")
    assert "95 % CI" in text
    assert " · p " in text


# ---------------------------------------------------------------------------- the PDF


def render(user: User, days: int = 182) -> bytes:
    today = local_today(user)
    return layout.render_pdf(report.report_for_user(user, start=today - dt.timedelta(days=days), end=today))


def test_pdf_of_an_empty_log(alice: User) -> None:
    pdf = render(alice)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) >= 1


@pytest.mark.parametrize(
    "notes",
    [
        "Rücken ok, Ωμέγα, Привет",
        "🏃‍♀️ felt great 😀👍🏽",
        "跑步后背痛 — 腰痛",
        "مرحبا بالعالم",
        "control \x07\x1b and \u200b zero width \ufeff",
        "long " * 400,
        "averyveryverylongwordwithoutanyspaces" * 40,
    ],
    ids=["accents", "emoji", "cjk", "arabic", "controls", "long", "long-word"],
)
def test_pdf_renders_any_text(alice: User, notes: str) -> None:
    ShoeFactory(user=alice, name=notes[:100])
    make_log(alice, 3, notes=notes)
    pdf = render(alice)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) >= 2


def test_printable_text_replaces_what_the_font_cannot_draw() -> None:
    assert layout.printable_text("Ωμέγα café") == "Ωμέγα café"
    assert layout.printable_text("run 🏃‍♀️ done") == "run �♀ done"
    assert layout.printable_text("腰痛") == "�"
    assert layout.printable_text("a\x00b\u200bc") == "abc"


def test_page_count_grows_with_the_log(alice: User, bob: User) -> None:
    make_log(alice, 5)
    make_log(bob, 150)
    assert page_count(render(bob)) > page_count(render(alice))


def test_pages_are_numbered_page_x_of_y(alice: User) -> None:
    make_log(alice, 60)
    data = report.report_for_user(
        alice, start=local_today(alice) - dt.timedelta(days=70), end=local_today(alice)
    )
    pdf = layout.ReportPDF(data)
    pdf.set_compression(False)  # the text is searchable only uncompressed
    pdf.add_page()
    for section in (layout._summary, layout._run_table):
        section(pdf, data)
    assert pdf.pages_count >= 2
    assert b"{nb}" not in bytes(pdf.output())


def test_printable_svg_flattens_the_chart_rules() -> None:
    from runs import charts

    svg = charts.weekly_distance_pain_svg(
        [charts.WeekPoint(dt.date(2026, 1, 5), 12.0, 3, 1)],
        unit="km",
    )
    printable = layout.printable_svg(svg)
    assert ".chart .chart-bar" not in printable
    assert ".chart-bar{" in printable
    assert "@media" not in printable
    assert "<title" not in printable
    assert 'font-family="dejavu"' in printable


# --------------------------------------------------------------------------- the door


def test_download_as_the_signed_in_user(alice: User, alice_client: Client) -> None:
    make_log(alice, 3)
    response = alice_client.get("/export/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert ".pdf" in response["Content-Disposition"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_download_with_a_token(alice: User) -> None:
    response = token_client(alice).get("/export/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_from_and_to_choose_the_period(alice: User, alice_client: Client) -> None:
    response = alice_client.get("/export/report.pdf?from=2026-01-01&to=2026-01-31")
    assert response.status_code == 200
    assert "2026-01-01-to-2026-01-31" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "query",
    ["from=yesterday", "to=2026-02-30", "from=2026-03-01&to=2026-02-01", "from=1800-01-01", "to=99999-01-01"],
)
def test_bad_dates_are_400(alice_client: Client, query: str) -> None:
    response = alice_client.get(f"/export/report.pdf?{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"from", "to"}


def test_without_credentials(db: None) -> None:
    assert Client().get("/export/report.pdf", HTTP_ACCEPT="application/pdf").status_code == 401
    browser = Client().get("/export/report.pdf", HTTP_ACCEPT="text/html")
    assert browser.status_code == 302
    assert browser["Location"].startswith("/accounts/login/")


def test_a_bad_token_is_401(db: None) -> None:
    response = Client().get("/export/report.pdf", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401


def test_bob_gets_his_own_report_never_alices(alice: User, bob: User, bob_client: Client) -> None:
    RunFactory(user=alice, started_at=local_noon(alice, 1), notes="ALICE-SECRET")
    analytics_refresh(alice)
    data = report.report_for_user(bob, start=local_today(bob) - dt.timedelta(days=7), end=local_today(bob))
    assert data.runs == []
    response = bob_client.get("/export/report.pdf")
    assert response.status_code == 200
    assert data.owner == "bob"


def test_distances_follow_the_users_unit(alice: User) -> None:
    profile_update(user=alice, distance_unit="mi")
    RunFactory(user=alice, started_at=local_noon(alice, 1), distance_m=1609.344)
    analytics_refresh(alice)
    start, end = report.resolve_period(alice, None, None)
    data = report.report_for_user(alice, start=start, end=end)
    assert data.unit == "mi"
    assert render(alice).startswith(b"%PDF-")


def test_run_times_are_in_the_users_zone(alice: User) -> None:
    profile_update(user=alice, timezone="Pacific/Auckland")
    moment = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0) - dt.timedelta(days=2)
    RunFactory(user=alice, started_at=moment)
    start, end = report.resolve_period(alice, None, None)
    data = report.report_for_user(alice, start=start, end=end)
    assert data.generated_at.tzinfo is not None
    assert str(data.generated_at.tzinfo) == "Pacific/Auckland"
    assert len(data.runs) == 1
    assert isinstance(data.runs[0], Run)


def test_charts_skip_the_empty_centuries(alice: User, alice_client: Client) -> None:
    RunFactory(user=alice, started_at=local_noon(alice, 10))
    analytics_refresh(alice)
    data = report.report_for_user(alice, start=dt.date(1900, 1, 1), end=dt.date(2100, 12, 31))
    assert data.period_label == "1 Jan 1900 – 31 Dec 2100"
    assert len(data.trends.weeks) <= 3
    response = alice_client.get("/export/report.pdf?from=1900-01-01&to=2100-12-31")
    assert response.status_code == 200


def test_the_download_forms_empty_dates_mean_the_default(alice_client: Client) -> None:
    response = alice_client.get("/export/report.pdf?from=&to=")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
