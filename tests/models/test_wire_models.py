from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from si_mcp.models import Document, DocumentCreate, Filter, Organization, wirejson

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
