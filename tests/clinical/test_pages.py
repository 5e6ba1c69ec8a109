"""The questionnaire and treatment pages (docs/product.md#questionnaires-on-the-phone): one screen per
questionnaire, the confirmation in words, due ones on the home page, scores over time, schedules in
Settings, treatments listed and marked on the weekly chart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinical import instruments
from clinical.models import QuestionnaireResponse, QuestionnaireSchedule, Treatment
from tests.conftest import HtmlPage
from tests.factories import QuestionnaireResponseFactory, TreatmentFactory, UserFactory

HTMX = {"HX-Request": "true"}


def answer_rmdq(client: Client, ticked: int, headers: dict[str, str] | None = None) -> object:
    page = HtmlPage(client.get("/questionnaires/rmdq/").content)
    form = page.form(id="questionnaire-form")
    data = form.data(**{f"item_{n}": "on" for n in range(1, ticked + 1)})
    return client.post("/questionnaires/rmdq/", data, headers=headers or {})


def test_the_rmdq_is_one_screen_of_24_labelled_tick_rows(alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/questionnaires/rmdq/").content)
    form = page.form(id="questionnaire-form")
    boxes = [c for c in form.controls if c.name.startswith("item_")]
    assert len(boxes) == 24
    assert all(box.attrs["type"] == "checkbox" for box in boxes)
    for item in instruments.RMDQ_ITEMS:
        page.assert_labels_one_control(item)
    # The offline outbox knows how to send it.
    assert form.attrs["data-outbox"] == "questionnaire"
    assert form.attrs["data-questionnaire"] == "rmdq"
    assert form.attrs["data-outbox-url"] == "/api/v1/questionnaire-responses/"


def test_answering_the_rmdq_names_the_score_and_the_change_in_words(
    alice: User, alice_client: Client
) -> None:
    QuestionnaireResponseFactory(user=alice, ticked=12, completed_at=timezone.now() - dt.timedelta(days=7))
    saved = answer_rmdq(alice_client, 6, HTMX)
    html = saved.content.decode()
    assert saved.status_code == 200
    assert "RMDQ score: 6" in html
    assert "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)" in html
    assert QuestionnaireResponse.objects.filter(user=alice).count() == 2


def test_without_htmx_the_save_goes_home_with_the_change(alice: User, alice_client: Client) -> None:
    saved = answer_rmdq(alice_client, 3)
    assert saved.status_code == 302
    home = alice_client.get(saved["Location"]).content.decode()
    assert "RMDQ 3: your first" in home


def test_a_double_submit_stores_one_response(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/questionnaires/rmdq/").content)
    data = page.form(id="questionnaire-form").data(item_1="on")
    alice_client.post("/questionnaires/rmdq/", data)
    alice_client.post("/questionnaires/rmdq/", data)
    assert QuestionnaireResponse.objects.filter(user=alice).count() == 1


def test_psfs_offers_the_previous_activities(alice: User, alice_client: Client) -> None:
    QuestionnaireResponseFactory(
        user=alice,
        questionnaire="psfs",
        answers=[{"activity": "run 10 km", "score": 2}, {"activity": "sit through a film", "score": 5}],
    )
    page = HtmlPage(alice_client.get("/questionnaires/psfs/").content)
    form = page.form(id="questionnaire-form")
    assert form.control("activity_1").attrs["value"] == "run 10 km"
    assert form.control("activity_2").attrs["value"] == "sit through a film"
    saved = alice_client.post("/questionnaires/psfs/", form.data(score_1="6", score_2="5"), headers=HTMX)
    assert "PSFS 3.5 → 5.5: 2 points better, a change patients notice (≥ 2)" in saved.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Name at least one activity"),
        ({"activity_1": "run", "score_1": "11"}, "less than or equal to 10"),
        ({"activity_1": "run"}, "Rate this activity"),
        ({"score_1": "4"}, "Name the activity"),
        ({"activity_1": "x" * 500, "score_1": "4"}, "at most 100 characters"),
    ],
)
def test_psfs_form_refuses(alice: User, alice_client: Client, fields: dict[str, str], message: str) -> None:
    page = HtmlPage(alice_client.get("/questionnaires/psfs/").content)
    answer = alice_client.post("/questionnaires/psfs/", page.form(id="questionnaire-form").data(**fields))
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_pain_7d_is_a_0_to_10_scale(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/questionnaires/pain-7d/").content)
    control = page.assert_labels_one_control("Average pain, last 7 days")
    assert (control["min"], control["max"]) == ("0", "10")
    alice_client.post("/questionnaires/pain-7d/", page.form(id="questionnaire-form").data(score="4"))
    assert QuestionnaireResponse.objects.get(user=alice).score == 4


def test_due_questionnaires_show_on_the_home_page_until_answered(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/").content)
    assert "Questionnaires due" in str(alice_client.get("/").content.decode())
    assert "due-title" in page.elements
    answer_rmdq(alice_client, 2)
    QuestionnaireResponseFactory(user=alice, questionnaire="psfs", answers=[{"activity": "run", "score": 4}])
    html = alice_client.get("/").content.decode()
    assert 'href="/questionnaires/rmdq/"' not in html.split('id="due-title"')[1].split("</section>")[0]
    assert 'href="/questionnaires/pain-7d/"' in html
    QuestionnaireResponseFactory(user=alice, questionnaire="pain_7d", answers={"score": 4})
    assert "Questionnaires due" not in alice_client.get("/").content.decode()


def test_the_dashboard_charts_each_score_with_its_first_and_meaningful_line(
    alice: User, alice_client: Client
) -> None:
    QuestionnaireResponseFactory(user=alice, ticked=12, completed_at=timezone.now() - dt.timedelta(days=14))
    QuestionnaireResponseFactory(user=alice, ticked=6)
    html = alice_client.get("/").content.decode()
    assert "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)" in html
    svg = html[
        html.index("<svg", html.index('id="outcome-rmdq"')) : html.index(
            "</svg>", html.index('id="outcome-rmdq"')
        )
        + 6
    ]
    tree = ET.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    labels = [text.text for text in tree.iter(f"{namespace}text")]
    assert "First 12" in labels
    assert "Meaningful" in labels
    assert len(list(tree.iter(f"{namespace}circle"))) == 2


def test_dashboard_query_count_does_not_grow_with_answers_or_treatments(alice: User) -> None:
    counts = []
    bob = UserFactory(username="bob")
    QuestionnaireResponseFactory(user=alice)
    TreatmentFactory(user=alice)
    for n in range(20):
        QuestionnaireResponseFactory(user=bob, completed_at=timezone.now() - dt.timedelta(days=n + 1))
        TreatmentFactory(user=bob, started_at=timezone.now() - dt.timedelta(days=n + 1))
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_treatments_are_marked_on_the_weekly_chart(alice: User, alice_client: Client) -> None:
    alice_client.get("/")  # cached before the treatment: a new one must redraw it
    TreatmentFactory(user=alice, kind="injection", name="Epidural")
    html = alice_client.get("/").content.decode()
    assert "chart-treatment" in html
    assert "Injection: Epidural" in html


def test_schedules_are_set_in_settings(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/settings/").content)
    form = page.form(action="/questionnaires/schedules/")
    assert form.options("rmdq") == ["off", "weekly", "2w", "4w"]
    assert form.control("psfs").options[2][2]  # every 2 weeks by default
    alice_client.post("/questionnaires/schedules/", form.data(rmdq="off", pain_7d="4w"))
    assert dict(
        QuestionnaireSchedule.objects.filter(user=alice).values_list("questionnaire", "schedule")
    ) == {
        "rmdq": "off",
        "psfs": "2w",
        "pain_7d": "4w",
    }
    assert 'href="/questionnaires/rmdq/"' not in alice_client.get("/").content.decode().split("</section>")[1]


def test_treatments_list_quick_add_edit_delete(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/treatments/").content)
    form = page.form(id="treatment-form")
    answer = alice_client.post("/treatments/", form.data(kind="medication", name="Ibuprofen", dose="400 mg"))
    assert answer.status_code == 302
    treatment = Treatment.objects.get(user=alice)
    assert "Medication: Ibuprofen 400 mg" in alice_client.get("/treatments/").content.decode()
    edit = HtmlPage(alice_client.get(f"/treatments/{treatment.pk}/edit/").content).form(id="treatment-form")
    alice_client.post(f"/treatments/{treatment.pk}/edit/", edit.data(dose="200 mg"))
    treatment.refresh_from_db()
    assert treatment.dose == "200 mg"
    alice_client.post(f"/treatments/{treatment.pk}/delete/")
    assert not Treatment.objects.exists()


def test_a_treatment_ending_before_it_starts_is_refused(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/treatments/").content)
    form = page.form(id="treatment-form")
    answer = alice_client.post(
        "/treatments/",
        form.data(
            kind="medication", name="Naproxen", started_at="2026-01-05T08:00", ended_at="2026-01-04T08:00"
        ),
    )
    assert "The end must not be before the start." in answer.content.decode()
    assert not Treatment.objects.exists()


def test_treatments_list_query_count_does_not_grow(alice: User, alice_client: Client) -> None:
    TreatmentFactory(user=alice)
    alice_client.get("/treatments/")  # the session's first use
    with CaptureQueriesContext(connection) as one:
        alice_client.get("/treatments/")
    for n in range(30):
        TreatmentFactory(user=alice, started_at=timezone.now() - dt.timedelta(days=n + 3))
    with CaptureQueriesContext(connection) as many:
        alice_client.get("/treatments/")
    assert len(one) == len(many)


def test_another_users_pages_are_not_found(alice: User, bob_client: Client) -> None:
    treatment = TreatmentFactory(user=alice)
    response = QuestionnaireResponseFactory(user=alice)
    for url in (
        f"/treatments/{treatment.pk}/edit/",
        f"/treatments/{treatment.pk}/delete/",
        f"/questionnaires/{response.pk}/delete/",
    ):
        assert bob_client.get(url).status_code == 404
        assert bob_client.post(url).status_code == 404
    assert Treatment.objects.filter(pk=treatment.pk).exists()
    assert QuestionnaireResponse.objects.filter(pk=response.pk).exists()


def test_the_definitions_page_names_the_sources_and_what_is_left_out(client: Client, db: None) -> None:
    html = client.get("/definitions/").content.decode()
    for source in ("Roland M, Morris R", "Roland M, Fairbank J", "Ostelo", "Stratford", "Chiarotto"):
        assert source in html
    assert "Oswestry Disability Index (ODI), PROMIS and the STarT Back Tool are not included" in html
    assert 'id="rmdq"' in html
