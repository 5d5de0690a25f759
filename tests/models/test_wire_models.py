from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from si_mcp.models import (
    Client,
    ClientCreate,
    ClientUpdate,
    Document,
    DocumentClient,
    DocumentClientInput,
    DocumentCreate,
    DocumentIssuerInput,
    Filter,
    Organization,
    OrganizationUpdate,
    RequestModel,
    WireModel,
    wirejson,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize(("name", "model"), [("seed_organization", Organization), ("seed_document", Document)])
def test_seed_response_round_trips_without_losing_fields_or_precision(name: str, model: type[Organization]) -> None:
    raw = wirejson.loads((FIXTURES / f"{name}.json").read_text())
    parsed = model.model_validate(raw)
    assert wirejson.loads(wirejson.dumps(parsed.to_wire(exclude_unset=True))) == raw


@pytest.mark.parametrize("literal", ["0.1", "19.99", "1234567890123.45", "1.10", "0.1234"])
def test_decimal_amounts_survive_the_wire_exactly(literal: str) -> None:
    document = Document.model_validate(wirejson.loads(f'{{"id": "a", "organizationId": "b", "total": {literal}}}'))
    assert document.total == Decimal(literal)
    assert str(document.total) == literal
    assert wirejson.dumps({"total": document.total}) == f'{{"total":{literal}}}'


def test_request_models_reject_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        DocumentCreate.model_validate({"_documentClient": {"name": "A"}, "_documentItems": [{"name": "x"}], "oops": 1})


def test_filter_serializes_to_compact_json() -> None:
    query = Filter(where={"type": "invoice"}, order="date DESC", limit=5).to_query()
    assert query == '{"where":{"type":"invoice"},"order":"date DESC","limit":5}'


def test_filter_rejects_a_malformed_order_term() -> None:
    with pytest.raises(ValueError, match="order term"):
        Filter(order="date SIDEWAYS")


_PARTY_KEYS = {"address", "address2", "city", "zip", "state", "country", "taxNumber", "companyNumber", "IBAN", "bank"}
_PARTY_KEYS |= {"SWIFT", "website", "email", "phone"}


@pytest.mark.parametrize(
    "model", [ClientCreate, ClientUpdate, DocumentClientInput, DocumentIssuerInput, OrganizationUpdate]
)
def test_every_party_request_model_bounds_the_address_and_contact_fields_alike(model: type[RequestModel]) -> None:
    wire_keys = {field.alias or name for name, field in model.model_fields.items()}
    assert _PARTY_KEYS <= wire_keys
    body = {"name": "Acme", "IBAN": "BE71096123456769", "city": "Gent"}
    assert model.model_validate(body).to_wire(exclude_unset=True) == body
    with pytest.raises(ValueError, match="at most 100 characters"):
        model.model_validate({"name": "A", "IBAN": "X" * 101})


@pytest.mark.parametrize("model", [Client, DocumentClient])
def test_a_stored_client_and_a_documents_client_snapshot_answer_the_same_party_fields(model: type[WireModel]) -> None:
    wire_keys = {field.alias or name for name, field in model.model_fields.items()}
    assert _PARTY_KEYS | {"contact", "countryAlpha2Code", "taxSubject"} <= wire_keys
