"""The OpenAPI schema (``/api/schema/``) describes what the share-link and import views
answer, under the names docs/api.md#share-links and docs/api.md#import give."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from tests.imports.builders import fit_file, fit_session

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)
API_MD_SHARE_LINK = {
    "id",
    "label",
    "expires_at",
    "created_at",
    "revoked",
    "access_count",
    "last_accessed_at",
}


@pytest.fixture
def schema(client: Client, db: None) -> dict[str, Any]:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def resolve(schema: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    return schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


def component(schema: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    return resolve(schema, next(iter(content.values()))["schema"])


def test_share_link_responses_are_what_the_schema_says(
    alice: User, alice_api: APIClient, schema: dict[str, Any]
) -> None:
    paths = schema["paths"]
    created_schema = component(schema, paths["/api/v1/share-links/"]["post"]["responses"]["201"]["content"])
    page_schema = component(schema, paths["/api/v1/share-links/"]["get"]["responses"]["200"]["content"])
    listed_schema = resolve(schema, page_schema["properties"]["results"]["items"])
    one_schema = component(schema, paths["/api/v1/share-links/{id}/"]["get"]["responses"]["200"]["content"])

    created = alice_api.post("/api/v1/share-links/", {"label": "Physio"}, format="json")
    assert created.status_code == 201
    page = alice_api.get("/api/v1/share-links/").json()
    assert set(page) == set(page_schema["properties"])
    listed = page["results"]
    one = alice_api.get(f"/api/v1/share-links/{created.json()['id']}/").json()

    assert set(created.json()) == set(created_schema["properties"]) >= API_MD_SHARE_LINK | {"url"}
    assert set(listed[0]) == set(listed_schema["properties"]) >= API_MD_SHARE_LINK
    assert set(one) == set(one_schema["properties"]) >= API_MD_SHARE_LINK
    assert "url" not in listed[0]
    assert "url" not in one

    request = paths["/api/v1/share-links/"]["post"]["requestBody"]["content"]["application/json"]
    fields = component(schema, {"application/json": request})["properties"]
    assert {"label", "expires_in_days", "from", "to"} <= set(fields)
    assert (fields["expires_in_days"]["minimum"], fields["expires_in_days"]["maximum"]) == (1, 90)
    assert fields["expires_in_days"]["default"] == 14


def test_import_response_is_what_the_schema_says(
    alice: User, alice_api: APIClient, schema: dict[str, Any]
) -> None:
    responses = schema["paths"]["/api/v1/imports/"]["post"]["responses"]
    result_schema = component(schema, responses["201"]["content"])
    error_schema = component(schema, responses["400"]["content"])

    upload = SimpleUploadedFile("watch.fit", fit_file(fit_session(START)))
    result = alice_api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert result.status_code == 201
    assert (
        set(result.json()) == set(result_schema["properties"]) == {"created", "duplicates", "skipped", "runs"}
    )
    skipped = schema["components"]["schemas"][
        result_schema["properties"]["skipped"]["items"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert set(skipped["properties"]) == {"item", "reason"}

    error = alice_api.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("x.fit", b"nope")}, format="multipart"
    )
    assert error.status_code == 400
    assert set(error.json()) == set(error_schema["properties"]) == {"file"}


@pytest.mark.parametrize(
    "path", ["/export/runs.csv", "/export/fhir.json", "/export/account.zip", "/export/report.pdf"]
)
def test_every_download_documents_from_and_to(schema: dict[str, Any], path: str) -> None:
    operation = schema["paths"][path]["get"]
    assert {"from", "to"} <= {parameter["name"] for parameter in operation["parameters"]}
    assert {"200", "400", "401"} <= set(operation["responses"])
