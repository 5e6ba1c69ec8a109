"""The /share/ page: create a link (its URL and QR code shown once), the list with status
and accesses, revoke with a confirmation, the downloads; each user sees only their own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from backpainlog.accounts.authentication import token_digest
from sharing.models import ShareLink
from sharing.services import share_access_record, share_link_revoke
from tests.conftest import HtmlPage
from tests.sharing.helpers import make_link

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

HTMX = {"HX-Request": "true"}
SHARE_URL = re.compile(r'value="(http://testserver/shared/([A-Za-z0-9_-]+)/)"')


def create_form_data(client: Client, **fields: object) -> dict[str, object]:
    page = HtmlPage(client.get("/share/").content)
    return page.form(id="share-form").data(**fields)


def test_login_required(db: None) -> None:
    response = Client().get("/share/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_form_is_labelled(alice_client: Client) -> None:
    response = alice_client.get("/share/")
    assert response.status_code == 200
    page = HtmlPage(response.content)
    for label in ("Label", "Valid for (days)", "From", "To"):
        page.assert_labels_one_control(label)
    assert page.form(id="share-form").control("expires_in_days").attrs["value"] == "14"
    html = response.content.decode()
    assert "Create link" in html
    for download in ("/export/runs.csv", "/export/report.pdf", "/export/fhir.json", "/export/account.zip"):
        assert download in html
    page.assert_labels_one_control("Period start")
    page.assert_labels_one_control("Period end")


def test_no_inline_script_or_style(alice: User, alice_client: Client) -> None:
    link, _ = make_link(alice)
    share_access_record(link=link, kind="page")
    created = alice_client.post("/share/", create_form_data(alice_client, label="Physio"))
    for response in (alice_client.get("/share/"), created):
        html = response.content.decode()
        assert " style=" not in html
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
        assert "js/share.js" in html


def test_create_shows_the_url_once_with_a_qr_code(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        "/share/", create_form_data(alice_client, label="Dr Ruiz", expires_in_days="30")
    )

    assert response.status_code == 200
    html = response.content.decode()
    match = SHARE_URL.search(html)
    assert match is not None
    url, token = match.groups()
    link = ShareLink.objects.get(user=alice)
    assert link.label == "Dr Ruiz"
    assert link.digest == token_digest(token)
    assert abs(link.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert 'data-copy-target="share-url"' in html
    assert html.count("<svg") >= 1
    assert "share-qr" in html
    # Shown once: the next visit has the link in the list, but not its URL.
    later = alice_client.get("/share/").content.decode()
    assert "Dr Ruiz" in later
    assert token not in later
    assert Client().get(url).status_code == 200


def test_create_with_htmx_swaps_the_form_and_the_list(alice_client: Client) -> None:
    response = alice_client.post("/share/", create_form_data(alice_client, label="Clinic"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="share-create">')
    assert SHARE_URL.search(html)
    assert 'id="share-links" hx-swap-oob="true"' in html
    assert "Clinic" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"expires_in_days": "0"}, "expires_in_days"),
        ({"expires_in_days": "91"}, "expires_in_days"),
        ({"expires_in_days": "two weeks"}, "expires_in_days"),
        ({"expires_in_days": ""}, "expires_in_days"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"from": "03/01/2026"}, "from"),
        ({"to": "9999-01-01"}, "to"),
        ({"to": "2999-01-01"}, "to"),
        ({"label": "x" * 101}, "label"),
    ],
)
def test_bad_input_shows_errors_and_stores_nothing(alice_client: Client, fields: dict, field: str) -> None:
    response = alice_client.post("/share/", create_form_data(alice_client, **fields))
    assert response.status_code == 400
    page = HtmlPage(response.content)
    assert f"id_{field}_error" in page.elements
    assert not ShareLink.objects.exists()


def test_list_shows_status_period_and_accesses(alice: User, alice_client: Client) -> None:
    active, _ = make_link(alice, label="Active one", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    share_access_record(link=active, kind="pdf", user_agent="Mozilla/5.0 (iPhone) Safari/604.1")
    share_access_record(link=active, kind="page", user_agent="Mozilla/5.0 (iPhone) Safari/604.1")
    revoked, _ = make_link(alice, label="Revoked one")
    share_link_revoke(link=revoked)
    expired, _ = make_link(alice, label="Expired one")
    ShareLink.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - dt.timedelta(days=20), expires_at=timezone.now() - dt.timedelta(days=6)
    )

    html = alice_client.get("/share/").content.decode()

    start = html.index(f'id="share-link-{active.pk}"')
    following = html.find('id="share-link-', start + 1)
    item = html[start : following if following > 0 else len(html)]
    assert "Active" in item
    assert "1 Jan 2026 – 31 Mar 2026" in item
    assert "Opened 2 times" in item
    assert "Safari on iPhone" in item
    assert "PDF" in item
    assert "Revoke" in item
    revoked_item = html[html.index(f'id="share-link-{revoked.pk}"') :]
    assert "Revoked" in revoked_item[:600]
    expired_item = html[html.index(f'id="share-link-{expired.pk}"') :]
    assert "Expired" in expired_item[:600]
    # Only active links can be revoked.
    assert html.count('class="button small danger"') == 1


def test_revoke_asks_then_revokes(alice: User, alice_client: Client) -> None:
    link, token = make_link(alice)
    confirm = alice_client.get(f"/share/{link.pk}/revoke/")
    assert confirm.status_code == 200
    assert b"Revoke this share link?" in confirm.content
    link.refresh_from_db()
    assert link.revoked_at is None

    done = alice_client.post(f"/share/{link.pk}/revoke/")
    assert done.status_code == 302
    assert done["Location"] == "/share/"
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert Client().get(f"/shared/{token}/").status_code == 404


def test_revoke_with_htmx_reloads_the_page(alice: User, alice_client: Client) -> None:
    link, _ = make_link(alice)
    response = alice_client.post(f"/share/{link.pk}/revoke/", headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/share/"
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_the_revoke_button_confirms(alice: User, alice_client: Client) -> None:
    link, _ = make_link(alice, label="Physio")
    page = HtmlPage(alice_client.get("/share/").content)
    [form] = [form for form in page.forms if form.attrs.get("hx-post") == f"/share/{link.pk}/revoke/"]
    assert "hx-confirm" in form.attrs
    assert form.attrs["action"] == f"/share/{link.pk}/revoke/"  # without JavaScript: the confirmation page


def test_bob_cannot_see_or_revoke_alices_links(alice: User, bob_client: Client) -> None:
    link, _ = make_link(alice, label="ALICE-LINK")
    assert "ALICE-LINK" not in bob_client.get("/share/").content.decode()
    assert bob_client.get(f"/share/{link.pk}/revoke/").status_code == 404
    assert bob_client.post(f"/share/{link.pk}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_page_queries_do_not_grow_with_links_or_accesses(alice: User, alice_client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get("/share/").status_code == 200
        return len(queries)

    link, _ = make_link(alice)
    share_access_record(link=link, kind="page")
    one = count()
    for _ in range(15):
        other, _ = make_link(alice)
        share_access_record(link=other, kind="csv")
    for _ in range(12):  # more than the ten recent accesses shown
        share_access_record(link=link, kind="pdf")
    assert count() == one


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999999"])
def test_odd_ids_are_404(alice_client: Client, alice_api: APIClient, pk: str) -> None:
    assert alice_client.get(f"/share/{pk}/revoke/").status_code == 404
    assert alice_client.post(f"/share/{pk}/revoke/").status_code == 404
    assert alice_api.get(f"/api/v1/share-links/{pk}/").status_code == 404
    assert alice_api.delete(f"/api/v1/share-links/{pk}/").status_code == 404
    assert alice_api.get("/api/v1/share-links/abc/").status_code == 404


def test_errors_come_back_in_place_with_htmx(alice_client: Client) -> None:
    data = create_form_data(alice_client, expires_in_days="365")
    response = alice_client.post("/share/", data, headers=HTMX)
    assert response.status_code == 200  # htmx swaps 2xx answers only
    page = HtmlPage(response.content)
    assert "id_expires_in_days_error" in page.elements
    assert not ShareLink.objects.exists()
