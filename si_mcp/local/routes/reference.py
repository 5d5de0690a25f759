"""Reference data: ``GET /countries`` and ``GET /currencies`` (public, like the real API's helpers), and the API's own
OpenAPI document, ``GET /openapi.json`` (an si-mcp extension)."""

from __future__ import annotations

import datetime
import functools

from starlette.responses import Response

from si_mcp.models import Country, CountryTax, Currency, wirejson

from ..engine import countries
from ..http import Call, Route, raw_json_response

__all__ = ["routes"]


@functools.cache
def _countries_json() -> bytes:
    answer = []
    for info in countries.all_countries():
        taxes = [
            CountryTax(
                name=seed.name,
                abbreviation=seed.abbreviation,
                rate=str(wirejson.normalize_number(countries.rate_on(seed, datetime.date.today()))),
                classification=seed.classification,
            )
            for seed in info.taxes
        ]
        country = Country(
            name=info.name,
            alpha2_code=info.alpha2,
            alpha3_code=info.alpha3,
            native_name=info.native_name,
            numeric_code=info.numeric,
            currency=info.currency,
            locale=info.locale,
            timezone=info.timezone,
            taxes=taxes,
        )
        answer.append(country.to_wire())
    return wirejson.dumpb(answer)


@functools.cache
def _currencies_json() -> bytes:
    answer = [
        Currency(id=c.id, name=c.name, symbol=c.symbol, decimal_digits=c.decimal_digits).to_wire()
        for c in countries.all_currencies()
    ]
    return wirejson.dumpb(answer)


@functools.cache
def _openapi_json() -> bytes:
    from ..openapi import openapi_document
    from . import all_routes

    return wirejson.dumpb(openapi_document(all_routes()))


async def get_openapi(call: Call) -> Response:
    return raw_json_response(_openapi_json())


async def list_countries(call: Call) -> Response:
    return raw_json_response(_countries_json())


async def list_currencies(call: Call) -> Response:
    return raw_json_response(_currencies_json())


def routes() -> list[Route]:
    return [
        Route("GET", "/countries", list_countries, auth=False),
        Route("GET", "/currencies", list_currencies, auth=False),
        Route("GET", "/openapi.json", get_openapi, auth=False),
    ]
