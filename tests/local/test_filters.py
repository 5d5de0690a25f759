"""LoopBack filters on lists and counts: JSON and bracket forms, operators, order, paging, fields."""

from __future__ import annotations

import json

import pytest

from si_mcp.models import MAX_LIMIT

pytestmark = pytest.mark.anyio


@pytest.fixture
async def books(tenant):
    """Five documents: invoices on 2024-01-01..03 with totals 100/200/300, an estimate, a draft."""
    for day, price in ((1, 100), (2, 200), (3, 300)):
        await tenant.invoice(
            date=f"2024-01-0{day}",
            _documentItems=[{"name": f"line {day}", "price": price}],
            _documentClient={"name": f"Client {day}"},
        )
    await tenant.invoice(type="estimate", date="2024-02-01", _documentItems=[{"name": "quote", "price": 50}])
    await tenant.invoice(draft=True, date="2024-03-01", _documentItems=[{"name": "draft", "price": 10}])
    return tenant


async def listing(tenant, **params) -> list[dict]:
    response = await tenant.api.get(f"/organizations/{tenant.org_id}/documents", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def totals(documents: list[dict]) -> list:
    return [d["total"] for d in documents]


async def test_json_and_bracket_filters_agree(books) -> None:
    as_json = await listing(books, filter=json.dumps({"where": {"draft": False}, "order": "date DESC", "limit": 2}))
    as_brackets = await listing(
        books, **{"filter[where][draft]": "false", "filter[order]": "date DESC", "filter[limit]": "2"}
    )
    assert totals(as_json) == totals(as_brackets) == [50, 300]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"total": {"gt": 100}}, [200, 300]),
        ({"total": {"gte": 200, "lt": 300}}, [200]),
        ({"total": {"lte": 50}}, [50, 10]),
        ({"date": {"between": ["2024-01-02", "2024-02-01"]}}, [200, 300, 50]),
        ({"type": {"inq": ["estimate", "advance"]}}, [50]),
        ({"type": {"nin": ["invoice"]}}, [50]),
        ({"type": {"neq": "invoice"}}, [50]),
        ({"draft": True}, [10]),
        ({"or": [{"total": 100}, {"type": "estimate"}]}, [100, 50]),
        ({"and": [{"type": "invoice"}, {"draft": False}, {"total": {"gt": 150}}]}, [200, 300]),
        ({"_documentClient.name": {"like": "client [12]".replace(" [12]", " 2")}}, [200]),
        ({"_documentClient.name": {"like": "^client", "options": "i"}}, [100, 200, 300]),
        ({"_documentClient.name": {"nlike": "Client"}}, [50, 10]),
        ({"number": None}, [10]),
        ({"currencyId": "EUR", "paidInFull": False}, [100, 200, 300, 50, 10]),
    ],
)
async def test_where_operators(books, where: dict, expected: list) -> None:
    assert totals(await listing(books, filter=json.dumps({"where": where, "order": "date ASC"}))) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filter[where][total][gt]": "100"}, [200, 300]),
        ({"filter[where][total][gte]": "200", "filter[where][total][lt]": "300"}, [200]),
        ({"filter[where][total][lte]": "50"}, [50, 10]),
        (
            {"filter[where][date][between][0]": "2024-01-02", "filter[where][date][between][1]": "2024-02-01"},
            [200, 300, 50],
        ),
        ({"filter[where][type][inq][0]": "estimate", "filter[where][type][inq][1]": "advance"}, [50]),
        ({"filter[where][type][nin][0]": "invoice"}, [50]),
        ({"filter[where][type][neq]": "invoice"}, [50]),
        ({"filter[where][draft]": "true"}, [10]),
        ({"filter[where][or][0][total]": "100", "filter[where][or][1][type]": "estimate"}, [100, 50]),
        ({"filter[where][and][0][type]": "invoice", "filter[where][and][1][total][gt]": "150"}, [200, 300]),
        ({"filter[where][_documentClient.name][like]": "Client 2"}, [200]),
        (
            {
                "filter[where][_documentClient.name][like]": "^client",
                "filter[where][_documentClient.name][options]": "i",
            },
            [100, 200, 300],
        ),
        ({"filter[where][_documentClient.name][nlike]": "Client"}, [50, 10]),
    ],
)
async def test_where_operators_in_bracket_form(books, params: dict, expected: list) -> None:
    assert totals(await listing(books, **params, **{"filter[order]": "date ASC"})) == expected


@pytest.mark.parametrize(
    "order",
    ["total DESC", ["total DESC"], {"total": "DESC"}, ["type ASC", "total DESC"]],
)
async def test_order_accepts_a_string_a_list_or_an_object(books, order) -> None:
    ordered = totals(await listing(books, filter=json.dumps({"order": order, "where": {"type": "invoice"}})))
    assert ordered == [300, 200, 100, 10]


async def test_order_in_bracket_list_form(books) -> None:
    ordered = await listing(books, **{"filter[order][0]": "type DESC", "filter[order][1]": "date ASC"})
    assert totals(ordered) == [100, 200, 300, 10, 50]


async def test_limit_skip_and_offset_page_through(books) -> None:
    base = {"order": "date ASC"}
    assert totals(await listing(books, filter=json.dumps({**base, "limit": 2, "skip": 1}))) == [200, 300]
    assert totals(await listing(books, filter=json.dumps({**base, "limit": 2, "offset": 3}))) == [50, 10]


async def test_fields_keep_or_drop_properties(books) -> None:
    kept = await listing(books, filter=json.dumps({"fields": ["number", "total"], "order": "date ASC", "limit": 1}))
    assert kept == [{"number": "2024-00001", "total": 100}]
    dropped = await listing(books, **{"filter[fields][_documentItems]": "false", "filter[limit]": "1"})
    assert "_documentItems" not in dropped[0] and "total" in dropped[0]


async def test_count_takes_a_where_in_either_form(books) -> None:
    url = f"/organizations/{books.org_id}/documents/count"
    assert (await books.api.get(url)).json() == {"count": 5}
    assert (await books.api.get(url, params={"where": '{"type":"invoice","draft":false}'})).json() == {"count": 3}
    assert (await books.api.get(url, params={"where[total][gt]": "150"})).json() == {"count": 2}
    assert (await books.api.get(url, params={"where[draft]": "true"})).json() == {"count": 1}


@pytest.mark.parametrize(
    "params",
    [
        {"filter": "{not json"},
        {"filter": "[1,2]"},
        {"filter": '{"where":{"total":{"near":[1,2]}}}'},
        {"filter": '{"where":{"noSuchField":1}}'},
        {"filter": '{"where":{"_documentClient.na me":1}}'},
        {"filter": '{"where":{"date":{"gt":"not a date"}}}'},
        {"filter": '{"where":{"draft":"maybe"}}'},
        {"filter": '{"where":{"total":{"between":[1]}}}'},
        {"filter": '{"where":{"or":{}}}'},
        {"filter": '{"where":{"number":{"like":"(a|b)+"}}}'},
        {"filter": '{"order":"total SIDEWAYS"}'},
        {"filter": '{"order":"bogus DESC"}'},
        {"filter": '{"include":"comments"}'},
        {"filter": f'{{"limit":{MAX_LIMIT + 1}}}'},
        {"filter": '{"limit":-1}'},
        {"filter": f'{{"skip":{10**30}}}'},
        {"filter": f'{{"offset":{2**63}}}'},
        {"filter[skip]": str(10**30)},
        {"filter": '{"unknownKey":1}'},
        {"filter[where][type][inq][x]": "a", "filter[where][type][inq]": "b"},
        {"filter[where": "x"},
        {"filter": json.dumps({"where": {"or": [{"total": i} for i in range(300)]}})},
    ],
)
async def test_a_bad_filter_is_a_400_never_a_500(books, expect_error, params: dict) -> None:
    expect_error(await books.api.get(f"/organizations/{books.org_id}/documents", params=params), 400)


async def test_a_bad_count_where_is_a_400(books, expect_error) -> None:
    url = f"/organizations/{books.org_id}/documents/count"
    expect_error(await books.api.get(url, params={"where": "nope"}), 400)
    expect_error(await books.api.get(url, params={"where": '{"zzz":1}'}), 400)


async def test_limit_is_capped(books) -> None:
    assert len(await listing(books)) == 5  # no limit: everything up to MAX_LIMIT
    assert len(await listing(books, filter=json.dumps({"limit": MAX_LIMIT}))) == 5


async def test_like_ignores_the_case_of_ascii_letters_only_on_every_database(tenant) -> None:
    for name in ("Émile Zola", "ACME Rockets"):
        await tenant.invoice(_documentClient={"name": name}, _documentItems=[{"name": "x", "price": 1}])

    async def names(condition: dict) -> list[str]:
        where = {"_documentClient.name": condition}
        return sorted(d["_documentClient"]["name"] for d in await listing(tenant, filter=json.dumps({"where": where})))

    assert await names({"like": "acme rock"}) == ["ACME Rockets"]
    assert await names({"ilike": "ZOLA"}) == ["Émile Zola"]
    assert await names({"like": "Émile"}) == ["Émile Zola"]
    assert await names({"like": "émile", "options": "i"}) == []  # É is not an ASCII letter: SQLite's LIKE, everywhere
    assert await names({"nlike": "ACME"}) == ["Émile Zola"]
