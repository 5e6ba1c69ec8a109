"""The streamed downloads read the database only while they are sent, after the view has
returned (and, with ``ATOMIC_REQUESTS``, after its transaction has ended), a chunk of
runs at a time, and leave no cursor open behind them, read to the end or not."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.exports.helpers import body
from tests.factories import PainCheckinFactory, RunFactory, ShoeFactory

pytestmark = [pytest.mark.usefixtures("fast_password_hashing"), pytest.mark.django_db(transaction=True)]

URLS = ["/export/runs.csv", "/export/fhir.json", "/export/account.zip"]
RUNS = 7


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs a round trip and a piece sent per entry, so that a handful of runs takes
    several round trips and pieces."""
    monkeypatch.setattr("exports.selectors.CHUNK_SIZE", 2)
    monkeypatch.setattr("exports.csv.CHUNK_SIZE", 2)
    monkeypatch.setattr("exports.fhir.CHUNK_SIZE", 2)
    monkeypatch.setattr("exports.http.FLUSH_AT", 1)


@pytest.fixture(params=[False, True], ids=["autocommit", "atomic-requests"])
def atomic_requests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", request.param)
    return request.param


@pytest.fixture
def log(alice: User) -> None:
    shoe = ShoeFactory(user=alice)
    for number in range(RUNS):
        RunFactory(user=alice, shoe=shoe, notes=f"run {number}")
    PainCheckinFactory(user=alice)


def open_cursors() -> int:
    """Server-side cursors still open on this connection (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        return cursor.fetchone()[0]


@pytest.mark.usefixtures("small_chunks", "log")
@pytest.mark.parametrize("url", URLS)
def test_runs_are_read_while_the_file_is_sent(alice_client: Client, url: str, atomic_requests: bool) -> None:
    with CaptureQueriesContext(connection) as during_view:
        response = alice_client.get(url)
    assert response.status_code == 200
    assert response.streaming
    assert not any('"runs_run"' in query["sql"] for query in during_view)
    with CaptureQueriesContext(connection) as while_sent:
        content = body(response)
    assert b"run 6" in content or url.endswith(".zip")
    assert any('"runs_run"' in query["sql"] for query in while_sent)
    assert not connection.in_atomic_block
    assert open_cursors() == 0


@pytest.mark.usefixtures("small_chunks", "log")
@pytest.mark.parametrize("url", URLS)
def test_a_download_abandoned_half_way_leaves_no_cursor_open(
    alice_client: Client, url: str, atomic_requests: bool
) -> None:
    response = alice_client.get(url)
    assert isinstance(response, StreamingHttpResponse)
    chunks = iter(response)
    next(chunks)
    next(chunks)
    response.close()
    del chunks
    assert open_cursors() == 0
    # The connection is still usable: the next download works in full.
    assert alice_client.get(url).status_code == 200
