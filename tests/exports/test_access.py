"""Every download, whatever is asked of it: a disabled account gets nothing, and no query
string, method or text in the log makes a server error."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import token_client
from tests.exports.helpers import body
from tests.factories import PainCheckinFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

URLS = ["/export/runs.csv", "/export/fhir.json", "/export/account.zip", "/export/report.pdf"]
HOSTILE_QUERIES = [
    "from=garbage",
    "from=9999-12-31",
    "to=99999-01-01",
    "from=0001-01-01",
    "from=2024-02-30",
    "from=2025-01-01&to=2024-01-01",
    "from=2024-01-01&from=2025-01-01",
    "from=1900-01-01&to=2100-12-31",
    "from=%E2%80%AE2024-01-01",
    "from=%00",
    "from[]=2024-01-01",
    "from=&to=",
]


@pytest.mark.parametrize("url", URLS)
def test_a_disabled_account_gets_nothing(alice: User, url: str) -> None:
    by_session = Client()
    by_session.force_login(alice)
    by_token = token_client(alice)
    alice.is_active = False
    alice.save()
    assert by_token.get(url).status_code == 401
    assert by_session.get(url).status_code in {401, 403}


@pytest.mark.parametrize("url", URLS)
def test_no_query_method_or_text_makes_a_server_error(alice: User, alice_client: Client, url: str) -> None:
    shoe = ShoeFactory(user=alice, name='=HYPERLINK("x") \u202e')
    for notes in [
        "nul-free \x01\x07 controls",
        "emoji 🏃‍♀️🔥",
        "עברית \u202e RTL",
        "x" * 20_000,
        "=1+1\r\n-2",
    ]:
        RunFactory(user=alice, notes=notes, shoe=shoe)
    PainCheckinFactory(user=alice, notes="🔥 \x1b")
    for query in HOSTILE_QUERIES:
        for method in (alice_client.get, alice_client.head, alice_client.options):
            response = method(f"{url}?{query}", HTTP_ACCEPT="text/html")
            body(response)
            assert response.status_code in {200, 400}, (query, method.__name__, response.status_code)
