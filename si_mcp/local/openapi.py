"""The embedded API's OpenAPI 3.1 document (``GET /v1/openapi.json``), generated from its route table.

Every route the app serves is in it (it is built by walking :func:`si_mcp.local.routes.all_routes`), with its path
parameters, whether it needs a token, and the one error shape. :data:`_OPERATIONS` adds what the route table does not
carry: the pydantic model that validates a body (the same one the handler parses it with), the model of the answer
(the same one the client parses it with, so schemas are the validation-mode ones the client accepts) and the query
parameters. A route without an entry is still documented, with an open body and answer.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from si_mcp import __version__
from si_mcp.models import (
    AccessToken,
    Account,
    AccountCreate,
    AccountUpdate,
    Category,
    CategoryCreate,
    ChangePasswordRequest,
    ChangeRoleRequest,
    Client,
    ClientCreate,
    ClientUpdate,
    Comment,
    CommentCreate,
    Count,
    Country,
    Currency,
    Default,
    DefaultCreate,
    DefaultUpdate,
    DocNumberUnique,
    Document,
    DocumentCategory,
    DocumentCategoryCreate,
    DocumentCreate,
    DocumentUpdate,
    ErrorBody,
    InviteRequest,
    IsUnique,
    Item,
    ItemCreate,
    LastDocNumber,
    LoginRequest,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Payment,
    PaymentCreate,
    PaymentUpdate,
    PeppolRequest,
    PeppolResult,
    Recurrence,
    RecurrenceCreate,
    RecurrenceUpdate,
    ReminderRequest,
    SendRequest,
    SendResult,
    Session,
    Share,
    ShareRequest,
    Success,
    Tax,
    TaxCreate,
    TaxRate,
    TaxRateCreate,
    TokenRequest,
    Unit,
    UnitCreate,
    Webhook,
    WebhookCreate,
    WebhookDelivery,
    WebhookUpdate,
)

from .http import Route

__all__ = ["openapi_document"]

_PARAM = re.compile(r"\{(\w+)\}")
_FILTER = ("filter",)
_WHERE = ("where",)


class _Op:
    """What a route takes and answers beyond its path: ``body`` model, ``answer`` model (a ``list`` of one for
    lists), ``query`` parameter names, ``binary`` media type of a file answer."""

    def __init__(
        self,
        body: type[BaseModel] | None = None,
        answer: type[BaseModel] | list[type[BaseModel]] | None = None,
        query: tuple[str, ...] = (),
        binary: str | None = None,
    ) -> None:
        self.body, self.answer, self.query, self.binary = body, answer, query, binary


def _simple(collection: str, answer: type[BaseModel], body: type[BaseModel]) -> dict[tuple[str, str], _Op]:
    """The operations of ``_crud.simple_routes``."""
    item = f"/{collection}/{{id}}"
    return {
        ("GET", f"/{collection}/count"): _Op(answer=Count, query=_WHERE),
        ("POST", f"/organizations/{{id}}/{collection}"): _Op(body, answer),
        ("GET", f"/organizations/{{id}}/{collection}"): _Op(answer=[answer], query=_FILTER),
        ("GET", f"/organizations/{{id}}/{collection}/count"): _Op(answer=Count, query=_WHERE),
        ("GET", item): _Op(answer=answer),
        ("PUT", item): _Op(body, answer),
        ("PATCH", item): _Op(body, answer),
        ("DELETE", item): _Op(answer=Count),
    }


_OPERATIONS: dict[tuple[str, str], _Op] = {
    ("GET", "/documents/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/payments/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/clients/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/items/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/taxes/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/recurrences/count"): _Op(answer=Count, query=_WHERE),
    ("POST", "/organizations/{id}/webhooks"): _Op(WebhookCreate, Webhook),
    ("GET", "/organizations/{id}/webhooks"): _Op(answer=[Webhook], query=_FILTER),
    ("GET", "/organizations/{id}/webhooks/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/webhooks/{id}"): _Op(answer=Webhook),
    ("PATCH", "/webhooks/{id}"): _Op(WebhookUpdate, Webhook),
    ("PUT", "/webhooks/{id}"): _Op(WebhookUpdate, Webhook),
    ("DELETE", "/webhooks/{id}"): _Op(answer=Count),
    ("GET", "/webhooks/{id}/deliveries"): _Op(answer=[WebhookDelivery]),
    **_simple("units", Unit, UnitCreate),
    **_simple("categories", Category, CategoryCreate),
    ("POST", "/accounts"): _Op(AccountCreate, Account),
    ("POST", "/accounts/login"): _Op(LoginRequest, AccessToken, ("include",)),
    ("GET", "/accounts/authorized"): _Op(answer=Account),
    ("POST", "/accounts/change-password"): _Op(ChangePasswordRequest),
    ("GET", "/accounts/{id}"): _Op(answer=Account),
    ("PATCH", "/accounts/{id}"): _Op(AccountUpdate, Account),
    ("GET", "/accounts/{id}/accessTokens"): _Op(answer=[Session]),
    ("POST", "/accounts/{id}/accessTokens"): _Op(TokenRequest, AccessToken),
    ("PUT", "/organizations/{id}"): _Op(OrganizationUpdate, Organization),
    ("POST", "/accountorganizations/{id}/change-role"): _Op(ChangeRoleRequest, Success),
    ("DELETE", "/accountorganizations/{id}"): _Op(answer=Success),
    ("GET", "/accounts/is-unique"): _Op(answer=IsUnique, query=("email",)),
    ("GET", "/accounts/organizations"): _Op(answer=[Organization], query=_FILTER),
    ("POST", "/accounts/{id}/organizations"): _Op(OrganizationCreate, Organization),
    ("GET", "/accounts/{id}/organizations"): _Op(answer=[Organization], query=_FILTER),
    ("GET", "/accounts/{id}/organizations/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/organizations/{id}"): _Op(answer=Organization),
    ("PATCH", "/organizations/{id}"): _Op(OrganizationUpdate, Organization),
    ("GET", "/organizations/{id}/last-doc-number"): _Op(answer=LastDocNumber, query=("type",)),
    ("GET", "/organizations/{id}/is-unique-doc-number"): _Op(answer=DocNumberUnique, query=("number", "type")),
    ("POST", "/organizations/{id}/activate"): _Op(answer=Success),
    ("POST", "/organizations/{id}/deactivate"): _Op(answer=Success),
    ("POST", "/organizations/{id}/invite"): _Op(InviteRequest),
    ("POST", "/organizations/{id}/defaults"): _Op(DefaultCreate, Default),
    ("GET", "/organizations/{id}/defaults"): _Op(answer=[Default], query=_FILTER),
    ("GET", "/organizations/{id}/defaults/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/defaults/{id}"): _Op(answer=Default),
    ("DELETE", "/defaults/{id}"): _Op(answer=Count),
    ("PATCH", "/defaults/{id}"): _Op(DefaultUpdate, Default),
    ("PUT", "/organizations/{id}/defaults/{default_id}"): _Op(DefaultUpdate, Default),
    ("POST", "/organizations/{id}/documents"): _Op(DocumentCreate, Document),
    ("GET", "/organizations/{id}/documents"): _Op(answer=[Document], query=_FILTER),
    ("GET", "/organizations/{id}/documents/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/organizations/{id}/search-documents"): _Op(answer=[Document], query=("term", "filter")),
    ("GET", "/documents/{id}"): _Op(answer=Document, query=_FILTER),
    ("PUT", "/documents/{id}"): _Op(DocumentCreate, Document),
    ("POST", "/documents/{id}/replace"): _Op(DocumentCreate, Document),
    ("DELETE", "/documents/{id}"): _Op(answer=Count),
    ("PATCH", "/documents/{id}"): _Op(DocumentUpdate, Document),
    ("POST", "/documents/{id}/mark-sent"): _Op(answer=Success),
    ("POST", "/documents/{id}/share"): _Op(ShareRequest, Share),
    ("GET", "/documents/public/{shareable_id}"): _Op(answer=Document),
    ("GET", "/documents/public/{shareable_id}/pdf"): _Op(query=("l",), binary="application/pdf"),
    ("POST", "/documents/{id}/comments"): _Op(CommentCreate, Comment),
    ("GET", "/documents/{id}/comments"): _Op(answer=[Comment], query=_FILTER),
    ("GET", "/documents/{id}/comments/count"): _Op(answer=Count, query=_WHERE),
    ("PUT", "/documents/{id}/comments/{fk}"): _Op(CommentCreate, Comment),
    ("POST", "/documents/{id}/documentCategories"): _Op(DocumentCategoryCreate, DocumentCategory),
    ("GET", "/documents/{id}/documentCategories"): _Op(answer=[DocumentCategory]),
    ("GET", "/documents/{id}/documentCategories/count"): _Op(answer=Count, query=_WHERE),
    ("DELETE", "/documentCategories/{id}"): _Op(answer=Count),
    ("GET", "/documents/{id}/pdf"): _Op(query=("l",), binary="application/pdf"),
    ("GET", "/documents/{id}/factur-x"): _Op(query=("l",), binary="application/pdf"),
    ("GET", "/documents/{id}/ubl"): _Op(binary="application/xml"),
    ("POST", "/documents/{id}/send"): _Op(SendRequest, SendResult, ("l",)),
    ("POST", "/documents/{id}/send-reminder"): _Op(ReminderRequest, SendResult, ("l",)),
    ("GET", "/documents/{id}/actions"): _Op(query=("key",)),
    ("POST", "/documents/{id}/peppol"): _Op(PeppolRequest, PeppolResult),
    ("POST", "/documents/{id}/payments"): _Op(PaymentCreate, Payment),
    ("GET", "/documents/{id}/payments"): _Op(answer=[Payment], query=_FILTER),
    ("GET", "/documents/{id}/payments/count"): _Op(answer=Count, query=_WHERE),
    ("POST", "/organizations/{id}/payments"): _Op(PaymentCreate, Payment),
    ("GET", "/organizations/{id}/payments"): _Op(answer=[Payment], query=_FILTER),
    ("GET", "/organizations/{id}/payments/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/payments/{id}"): _Op(answer=Payment),
    ("PUT", "/payments/{id}"): _Op(PaymentCreate, Payment),
    ("PATCH", "/payments/{id}"): _Op(PaymentUpdate, Payment),
    ("DELETE", "/payments/{id}"): _Op(answer=Count),
    ("POST", "/documents/{id}/recurrence"): _Op(RecurrenceCreate, Recurrence),
    ("GET", "/documents/{id}/recurrence"): _Op(answer=Recurrence),
    ("GET", "/organizations/{id}/recurrences"): _Op(answer=[Recurrence], query=_FILTER),
    ("GET", "/organizations/{id}/recurrences/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/recurrences/{id}"): _Op(answer=Recurrence),
    ("PUT", "/recurrences/{id}"): _Op(RecurrenceUpdate, Recurrence),
    ("PATCH", "/recurrences/{id}"): _Op(RecurrenceUpdate, Recurrence),
    ("DELETE", "/recurrences/{id}"): _Op(answer=Count),
    ("POST", "/organizations/{id}/clients"): _Op(ClientCreate, Client),
    ("GET", "/organizations/{id}/clients"): _Op(answer=[Client], query=_FILTER),
    ("GET", "/organizations/{id}/clients/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/organizations/{id}/clients/search"): _Op(answer=[Client], query=("term", "filter")),
    ("GET", "/organizations/{id}/search-clients"): _Op(answer=[Client], query=("term", "filter")),
    ("GET", "/clients/{id}"): _Op(answer=Client),
    ("PATCH", "/clients/{id}"): _Op(ClientUpdate, Client),
    ("PUT", "/clients/{id}"): _Op(ClientCreate, Client),
    ("DELETE", "/clients/{id}"): _Op(answer=Count),
    ("POST", "/organizations/{id}/items"): _Op(ItemCreate, Item),
    ("GET", "/organizations/{id}/items"): _Op(answer=[Item], query=_FILTER),
    ("GET", "/organizations/{id}/items/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/organizations/{id}/items/search"): _Op(answer=[Item], query=("term", "filter")),
    ("GET", "/organizations/{id}/search-items"): _Op(answer=[Item], query=("term", "filter")),
    ("GET", "/items/{id}"): _Op(answer=Item),
    ("PUT", "/items/{id}"): _Op(ItemCreate, Item),
    ("POST", "/items/{id}/replace"): _Op(ItemCreate, Item),
    ("DELETE", "/items/{id}"): _Op(answer=Count),
    ("POST", "/organizations/{id}/taxes"): _Op(TaxCreate, Tax),
    ("GET", "/organizations/{id}/taxes"): _Op(answer=[Tax], query=_FILTER),
    ("GET", "/organizations/{id}/taxes/count"): _Op(answer=Count, query=_WHERE),
    ("GET", "/taxes/{id}"): _Op(answer=Tax),
    ("PUT", "/taxes/{id}"): _Op(TaxCreate, Tax),
    ("POST", "/taxes/{id}/replace"): _Op(TaxCreate, Tax),
    ("DELETE", "/taxes/{id}"): _Op(answer=Count),
    ("POST", "/taxes/{id}/taxRates"): _Op(TaxRateCreate, TaxRate),
    ("GET", "/countries"): _Op(answer=[Country], query=_FILTER),
    ("GET", "/currencies"): _Op(answer=[Currency], query=_FILTER),
    ("GET", "/openapi.json"): _Op(),
    ("GET", "/organizations/{id}/stats"): _Op(),
    ("GET", "/organizations/{id}/document-total-stats"): _Op(query=("type", "from", "to", "dist")),
    ("GET", "/organizations/{id}/payment-total-stats"): _Op(query=("from", "to", "dist")),
    ("GET", "/organizations/{id}/reports/vat"): _Op(query=("from", "to")),
    ("GET", "/organizations/{id}/reports/aging"): _Op(query=("date",)),
    ("GET", "/organizations/{id}/reports/statement"): _Op(query=("clientId", "from", "to")),
    ("GET", "/organizations/{id}/next-doc-number"): _Op(query=("type",)),
}


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody}
    for op in _OPERATIONS.values():
        answer = op.answer[0] if isinstance(op.answer, list) else op.answer
        for model in (op.body, answer):
            if model is not None:
                found[model.__name__] = model
    return list(found.values())


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(route: Route) -> dict[str, Any]:
    op = _OPERATIONS.get((route.method, route.path), _Op())
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in _PARAM.findall(route.path)
    ]
    parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in op.query]
    error = {"description": "LoopBack's error shape", "content": {"application/json": {"schema": _ref(ErrorBody)}}}
    if op.binary:
        answer: dict[str, Any] = {"content": {op.binary: {"schema": {"type": "string", "format": "binary"}}}}
    elif isinstance(op.answer, list):
        answer = {"content": {"application/json": {"schema": {"type": "array", "items": _ref(op.answer[0])}}}}
    elif op.answer is not None:
        answer = {"content": {"application/json": {"schema": _ref(op.answer)}}}
    else:
        answer = {"content": {"application/json": {"schema": {}}}}
    operation: dict[str, Any] = {
        "operationId": f"{route.method.lower()}{re.sub(r'[^A-Za-z0-9]+', '_', route.path)}",
        "parameters": parameters,
        "responses": {
            "200": {"description": "OK", **answer},
            "4XX": error,
        },
    }
    if route.method == "POST" and route.path in ("/accounts/logout", "/accounts/change-password"):
        operation["responses"] = {"204": {"description": "done, no content"}, "4XX": error}
    if op.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body)}}}
    elif route.method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}}
    operation["security"] = [{"token": []}] if route.auth else []
    return operation


def openapi_document(routes: list[Route]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (served under ``/v1``)."""
    _, schemas = models_json_schema(
        [(model, "validation") for model in _models()], ref_template="#/components/schemas/{model}"
    )
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "si-mcp embedded Space Invoices API (v1)",
            "version": __version__,
            "description": "The Space Invoices REST API v1 as si-mcp serves it, with its extensions.",
        },
        "servers": [{"url": "/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "The id of POST /accounts/login",
                }
            },
        },
    }
