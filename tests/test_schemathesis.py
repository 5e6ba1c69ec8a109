"""The API against its own OpenAPI schema: Schemathesis generates requests (valid and
invalid) for every operation of ``/api/schema/`` and runs all of its checks on each
answer (no server error, status codes, content types, headers and bodies as documented,
invalid input refused, valid input accepted, unsupported methods refused, no answer
without credentials, ...), then workflows across operations for the checks that need
several calls. In process, through the WSGI application, on the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from backpainlog.accounts.services import api_token_create
from tests.factories import UserFactory

# Input a schema can describe but not judge: which file contents parse, which password
# is right, rules between fields ("to" not before "from", a retired pair cannot be the
# default), ids that must name one of your shoes or be new to every user. A schema-valid
# request may fail those with 400; every other positive case must still succeed.
RULES_THE_SCHEMA_CANNOT_STATE = {
    "POST /api/v1/auth/token/": "the username and password must match an account",
    "DELETE /api/v1/account/": "the password must be the account's",
    "POST /api/v1/imports/": "the file must be a readable FIT, GPX, TCX, CSV or Strava zip",
    **{
        f"{method} /api/v1/{collection}/{item}": "ids of your own gear, new client ids, dates in range and in order"
        for collection in ("runs", "pain-checkins", "shoes", "insoles")
        for method, item in (("POST", ""), ("PUT", "{id}/"), ("PATCH", "{id}/"))
    },
    "POST /api/v1/share-links/": "`to` must not be before `from`",
    "POST /api/v1/push-subscriptions/": (
        "the endpoint must be on a push service's host (PUSH_ENDPOINT_HOSTS), the keys a P-256 point and a secret"
    ),
    "PATCH /api/v1/profile/": "reminders by e-mail only where the server sends e-mail",
    **{
        f"{method} /api/v1/questionnaire-responses/{item}": (
            "the answers must fit the questionnaire named beside them; new client ids"
        )
        for method, item in (("POST", ""), ("PUT", "{id}/"), ("PATCH", "{id}/"))
    },
    **{
        f"{method} /api/v1/treatments/{item}": "`ended_at` not before `started_at`; a name for medication; new client ids"
        for method, item in (("POST", ""), ("PUT", "{id}/"), ("PATCH", "{id}/"))
    },
}
DATE_RANGE_OPERATIONS = [
    "GET /api/v1/runs/",
    "GET /api/v1/pain-checkins/",
    "GET /api/v1/flags/",
    "GET /api/v1/insights/",
    "GET /api/v1/episodes/",
    "GET /api/v1/stats/weekly/",
    "GET /api/v1/questionnaire-responses/",
    "GET /api/v1/treatments/",
    "GET /export/runs.csv",
    "GET /export/fhir.json",
    "GET /export/account.zip",
    "GET /export/report.pdf",
]
RULES_THE_SCHEMA_CANNOT_STATE |= dict.fromkeys(DATE_RANGE_OPERATIONS, "`to` must not be before `from`")

ACCEPTED = [*schemathesis.Config().projects.default.checks.positive_data_acceptance.expected_statuses]
config = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-name": name,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for name in RULES_THE_SCHEMA_CANNOT_STATE
        ]
        + [
            # The coverage phase would send each of the ~600 time zone names; the other
            # phases still send valid and invalid ones.
            {"include-name": "PATCH /api/v1/profile/", "phases": {"coverage": {"enabled": False}}},
        ],
        # Workflows run as one user throughout (their token in every call), so no
        # generated credentials in their requests.
        "phases": {"stateful": {"generation": {"with-security-parameters": False}}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=config)


@pytest.fixture
def connection_kept_open() -> Iterator[None]:
    """Django closes the database connection at the end of each request, which would
    end the test's transaction (and its data) on PostgreSQL; Django's own test client
    keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    # The same examples on every run, so a CI failure reproduces locally.
    derandomize=True,
    # The database fixture is shared by the examples on purpose: each example makes its own user.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, db: None, fast_password_hashing: None, connection_kept_open: None
) -> None:
    # A fresh user and token for every example: logout revokes the token and account
    # deletion removes the user, so nothing an example does reaches the next one.
    case.call_and_validate(headers=fresh_user_headers())


def fresh_user_headers() -> dict[str, str]:
    _, token = api_token_create(user=UserFactory())
    return {"Authorization": f"Token {token}"}


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls that follow the links between operations (create a run, read
    it, change it, delete it, read it again), for the checks that need them: what was
    created can be read, what was deleted is gone. One fresh user per sequence."""

    def setup(self) -> None:
        self.headers = fresh_user_headers()

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
        return {"headers": self.headers}

    def validate_response(
        self,
        response: schemathesis.Response,
        case: schemathesis.Case,
        additional_checks: list[schemathesis.CheckFunction] | None = None,
        **kwargs: object,
    ) -> None:
        # The token is the workflow's own on purpose: say so to the checks, as a plain
        # call_and_validate(headers=...) does.
        case.validate_response(
            response,
            additional_checks=additional_checks,
            headers=self.headers,
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


def test_api_workflows_conform_to_the_schema(
    db: None, fast_password_hashing: None, connection_kept_open: None
) -> None:
    Workflow.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
    )
