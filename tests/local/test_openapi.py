"""The embedded API documents itself (GET /v1/openapi.json, OpenAPI 3.1, generated from its route table), and
schemathesis fuzzes every operation from that document: no input it generates gets a 5xx, and every answer fits the
schema the document gives it (the models the client parses answers with)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance

from si_mcp.local import create_app
from si_mcp.local.openapi import openapi_document
from si_mcp.local.routes import all_routes
from si_mcp.settings import Settings

from ..conftest import ROLE, _async_url, _psql, postgres

PASSWORD = "Rocket-launch-2024!"


class Books:
    """A running embedded API with one account, one organization, an invoice with a payment, and its ids."""

    def __init__(self, folder: Path, database_url: str) -> None:
        settings = Settings(SI_MCP_DATA_DIR=folder, SI_MCP_EMAILS_PER_MINUTE=0, SI_MCP_EMAILS_PER_DAY=0)
        self.app = create_app(database_url=database_url, data_dir=folder, settings=settings)
        # Schemathesis' own ASGI session (requests-like, one event loop for the app), for the set-up too.
        self.http = asgi.get_client(self.app)
        self.base = f"http://{asgi.HOST}/v1"
        self.http.post(f"{self.base}/accounts", json={"email": "fuzz@example.com", "password": PASSWORD})
        login = self.http.post(
            f"{self.base}/accounts/login", json={"email": "fuzz@example.com", "password": PASSWORD}
        ).json()
        self.headers = {"Authorization": login["id"]}
        org = self.http.post(
            f"{self.base}/accounts/{login['userId']}/organizations",
            json={"name": "Fuzz", "country": "Belgium"},
            headers=self.headers,
        ).json()
        invoice = self.http.post(
            f"{self.base}/organizations/{org['id']}/documents",
            json={
                "_documentClient": {"name": "Rocket man", "country": "Belgium", "email": "rocket@example.com"},
                "_documentItems": [{"name": "Suit", "price": 100, "_documentItemTaxes": [{"rate": 21}]}],
                "payments": [{"type": "bank", "amount": 10}],
            },
            headers=self.headers,
        ).json()
        self.ids = {
            "accounts": login["userId"],
            "organizations": org["id"],
            "documents": invoice["id"],
            "clients": invoice["clientId"],
            "payments": invoice["payments"][0]["id"] if invoice.get("payments") else "x",
        }

    def real_id(self, path: str) -> str | None:
        """An id of this account for the path's resource, so some cases reach past the ownership check."""
        return self.ids.get(path.strip("/").split("/")[0])

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Books]:
    """On SQLite, or on PostgreSQL when the suite runs there (scripts/test-postgres): its 500s are its own."""
    folder = tmp_path_factory.mktemp("fuzz")
    if not postgres():
        running = Books(folder, f"sqlite+aiosqlite:///{folder}/books.db")
        yield running
        running.close()
        return
    name = "fuzz_" + uuid.uuid4().hex[:20]
    _psql(f"CREATE DATABASE {name} TEMPLATE {request.getfixturevalue('_migrated_template')} OWNER {ROLE}")
    running = Books(folder, _async_url(name))
    try:
        yield running
    finally:
        running.close()
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# Loaded from the same document the app serves (built from the route table, no app needed), and pointed at the
# running app once it is up.
schema = schemathesis.openapi.from_dict(openapi_document(all_routes()))


@pytest.fixture(scope="module", autouse=True)
def _aimed(books: Books) -> None:
    schema.app = books.app


def test_the_document_lists_every_route_of_the_table_and_is_valid_openapi(books: Books) -> None:
    document = books.http.get(f"{books.base}/openapi.json").json()
    listed = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}

    assert document["openapi"] == "3.1.0"
    assert listed == {(route.method, route.path) for route in all_routes()}
    schemathesis.openapi.from_dict(document)  # loading validates it against the OpenAPI 3.1 meta-schema


ANSWERS: dict[str, list[int]] = defaultdict(list)  # operation -> the statuses it answered, for the coverage test


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_5xx_or_an_answer_outside_its_schema(case: Any, books: Books) -> None:
    operation = f"{case.method} {case.path}"
    seen = len(ANSWERS[operation])
    real = books.real_id(case.path)
    if real is not None and "id" in (case.path_parameters or {}) and seen % 2 == 0:
        case.path_parameters = {**case.path_parameters, "id": real}  # every other case acts on a real object
    # Logging out with the shared token would end the session every other case needs: it gets no token.
    headers = {} if case.path == "/accounts/logout" else books.headers
    response = case.call_and_validate(
        session=books.http,
        base_url=books.base,
        headers=headers,
        checks=[not_a_server_error, response_schema_conformance],
    )
    ANSWERS[operation].append(response.status_code)


def test_the_fuzzing_reached_past_the_ownership_checks() -> None:
    """The run above is no proof if every request was refused: each read of the account's own objects answered."""
    own = {
        "GET /organizations/{id}",
        "GET /organizations/{id}/documents",
        "GET /organizations/{id}/clients",
        "GET /organizations/{id}/reports/aging",
        "GET /documents/{id}",
        "GET /documents/{id}/payments",
        "GET /documents/{id}/pdf",
        "GET /clients/{id}",
    }
    reached = {op for op, codes in ANSWERS.items() if 200 in codes}
    assert own <= reached, sorted(own - reached)
    assert any(200 in codes for op, codes in ANSWERS.items() if op.startswith(("POST", "PUT", "PATCH")))
