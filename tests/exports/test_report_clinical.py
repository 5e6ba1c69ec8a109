"""The report's clinical outcomes (docs/product.md#clinical-data-in-the-exports): red flags first, each
questionnaire's change, where it hurt with below the knee apart, and the treatments, read back from the
PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from backpainlog.accounts.selectors import local_today, user_zone
from clinical.models import Treatment
from exports import pdf as layout
from exports import report
from exports.keypoints import key_points
from runs import services
from runs.charts import long_date
from tests.factories import QuestionnaireResponseFactory, RunFactory, TreatmentFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def at(user: User, days_ago: int, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(
        local_today(user) - dt.timedelta(days=days_ago), dt.time(hour), user_zone(user)
    )


def day(user: User, days_ago: int) -> str:
    return long_date(local_today(user) - dt.timedelta(days=days_ago))


def period(user: User) -> report.Report:
    return report.report_for_user(
        user, start=local_today(user) - dt.timedelta(days=69), end=local_today(user)
    )


def pdf_pages(user: User) -> list[str]:
    pdf = layout.render_pdf(period(user))
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def clinical_log(user: User) -> None:
    """Ten weeks: RMDQ 12 → 6, PSFS 3 → 6, pain below the left knee twice, a red flag,
    a course of ibuprofen and a physiotherapy session."""
    services.run_create(user=user, started_at=at(user, 40), distance_m=5_000.0, pain_before=2, pain_after=3)
    QuestionnaireResponseFactory(user=user, completed_at=at(user, 60), ticked=12)
    QuestionnaireResponseFactory(user=user, completed_at=at(user, 30), ticked=9)
    QuestionnaireResponseFactory(user=user, completed_at=at(user, 2), ticked=6)
    for days_ago, scores in ((55, (2, 4)), (5, (6, 6))):
        QuestionnaireResponseFactory(
            user=user,
            questionnaire="psfs",
            completed_at=at(user, days_ago),
            answers=[
                {"activity": "run 10 km", "score": scores[0]},
                {"activity": "sit through a film", "score": scores[1]},
            ],
        )
    services.checkin_create(
        user=user, recorded_at=at(user, 20), score=5, pain_regions=["low_back_left", "below_knee_left"]
    )
    services.checkin_create(user=user, recorded_at=at(user, 12), score=4, pain_regions=["below_knee_left"])
    services.checkin_create(user=user, recorded_at=at(user, 11), score=3, pain_regions=["low_back_center"])
    services.checkin_create(
        user=user, recorded_at=at(user, 9), score=6, red_flags=["saddle_numbness", "leg_weakness"]
    )
    TreatmentFactory(
        user=user,
        kind=Treatment.Kind.MEDICATION,
        name="ibuprofen",
        dose="400 mg",
        started_at=at(user, 20),
        ended_at=at(user, 11),
    )
    TreatmentFactory(user=user, kind=Treatment.Kind.PHYSIOTHERAPY, name="", started_at=at(user, 15, 17))


def test_red_flags_head_the_key_points(alice: User) -> None:
    clinical_log(alice)

    points = key_points(period(alice))

    assert points[0].title == "New symptoms that need a doctor"
    assert points[0].urgent
    assert points[0].strong
    assert points[0].lines[0] == (
        "New symptoms that need a doctor the same day were recorded: numbness in the saddle area "
        f"(groin or buttocks) on {day(alice, 9)}; new weakness in a leg on {day(alice, 9)}."
    )
    assert sum(point.urgent for point in points) == 1


def test_no_red_flag_no_point(alice: User) -> None:
    services.checkin_create(user=alice, recorded_at=at(alice, 3), score=2)
    points = key_points(period(alice))
    assert points[0].title == "Period"
    titles = [point.title for point in points]
    assert "New symptoms that need a doctor" not in titles
    assert not any(title.startswith("Questionnaires") for title in titles)
    assert "Pain below the knee" not in titles


def test_page_one_opens_with_the_red_flag_then_the_questionnaires_and_below_the_knee(alice: User) -> None:
    clinical_log(alice)

    text = pdf_pages(alice)[0]

    first = text.index("Key points")
    assert text.index("New symptoms that need a doctor the same day were recorded") < text.index(
        "Period", first
    )
    assert f"numbness in the saddle area (groin or buttocks) on {day(alice, 9)}" in text
    assert (
        f"RMDQ 12 → 6 ({day(alice, 60)} – {day(alice, 2)}, 3 responses): 6 points better, "
        "a change patients notice (≥ 5)." in text
    )
    assert "PSFS 3.0 → 6.0 (" in text
    assert "responses): 3 points better, a change patients notice (≥ 2)" in text
    assert (
        f"Pain below the knee Marked on 2 days; the latest {day(alice, 12)} "
        "(left leg 2 times, right leg never; check-ins and runs)." in text
    )
    assert text.index("Pain radiating down the leg") < text.index("Pain below the knee")


def test_sections_per_questionnaire_regions_and_treatments(alice: User) -> None:
    clinical_log(alice)

    text = " ".join(pdf_pages(alice))

    assert "Roland-Morris Disability Questionnaire (RMDQ)" in text
    assert f"{day(alice, 30)} 9 / 24 −3 better" in text
    assert "Patient-Specific Functional Scale (PSFS)" in text
    assert "run 10 km 6; sit through a film 6" in text
    assert "Where it hurt" in text
    assert "Lower back, left 1 0 1" in text
    assert "Below the knee" in text
    assert "Left leg, below the knee 2 0 2" in text
    assert "Treatments (2)" in text
    assert f"{day(alice, 20)} – {day(alice, 11)} Medication: ibuprofen 400 mg" in text
    assert f"{day(alice, 15)} Physiotherapy session" in text
    assert "the runner" in text


def test_treatments_that_began_in_the_period_are_marked_on_the_weekly_chart(alice: User) -> None:
    TreatmentFactory(user=alice, name="", started_at=at(alice, 100), ended_at=at(alice, 30))
    TreatmentFactory(user=alice, name="", started_at=at(alice, 15))
    data = period(alice)
    assert len(data.treatments) == 2  # both under way in the period
    assert data.treatment_marks == [(local_today(alice) - dt.timedelta(days=15), "Physiotherapy session")]


def test_an_empty_log_says_so_in_the_new_sections(alice: User) -> None:
    text = " ".join(pdf_pages(alice))
    assert "No region of the body map was marked in the period." in text
    assert "No treatment recorded in the period." in text


def test_a_single_response_is_named_without_a_change(alice: User) -> None:
    QuestionnaireResponseFactory(
        user=alice, questionnaire="pain_7d", completed_at=at(alice, 3), answers={"score": 4}
    )
    [point] = [p for p in key_points(period(alice)) if p.title.startswith("Questionnaires")]
    assert point.lines == (
        f"Pain (7 days) 4 on {day(alice, 3)}: one response in the period, nothing to compare yet.",
    )


def test_the_baseline_before_the_period_is_named(alice: User) -> None:
    QuestionnaireResponseFactory(user=alice, completed_at=at(alice, 200), ticked=14)
    QuestionnaireResponseFactory(user=alice, completed_at=at(alice, 40), ticked=8)
    QuestionnaireResponseFactory(user=alice, completed_at=at(alice, 3), ticked=5)
    [point] = [p for p in key_points(period(alice)) if p.title.startswith("Questionnaires")]
    assert point.lines == (
        f"RMDQ 8 → 5 ({day(alice, 40)} – {day(alice, 3)}, 2 responses): 3 points better, a change "
        "patients notice (≥ 30 % of the first score). Since the runner's first response, before the "
        "period: RMDQ 14 → 5: 9 points better, a change patients notice (≥ 5).",
    )


def test_the_period_alone_and_only_the_owners(alice: User, bob: User) -> None:
    QuestionnaireResponseFactory(user=alice, completed_at=at(alice, 100), ticked=20)  # before the period
    QuestionnaireResponseFactory(user=alice, completed_at=at(alice, 10), ticked=8)
    QuestionnaireResponseFactory(user=bob, completed_at=at(bob, 5), ticked=2)
    services.checkin_create(user=bob, recorded_at=at(bob, 5), score=3, red_flags=["bladder_bowel"])
    TreatmentFactory(user=bob, started_at=at(bob, 5))
    data = period(alice)
    [rmdq] = data.questionnaires
    assert [score.score for score in rmdq.scores] == [8]
    assert data.red_flags == []
    assert data.treatments == []


def test_the_number_of_queries_does_not_grow_with_the_log(alice: User) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            period(alice)
        return len(captured)

    clinical_log(alice)
    period(alice)
    few = count()
    for days_ago in range(3, 50):
        QuestionnaireResponseFactory(user=alice, completed_at=at(alice, days_ago, 12), ticked=days_ago % 24)
        TreatmentFactory(user=alice, started_at=at(alice, days_ago, 13))
        RunFactory(user=alice, started_at=at(alice, days_ago, 6), pain_regions=["thigh_right"])
    services.checkin_create(user=alice, recorded_at=at(alice, 4), score=2, red_flags=["bladder_bowel"])
    assert count() == few
