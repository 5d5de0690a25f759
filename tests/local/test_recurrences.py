"""Recurring invoices over REST, issued by the scheduler with an injected clock: each occurrence exactly once,
also across a restart and with two schedulers racing on the same books."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from si_mcp.local import create_app
from si_mcp.local.app import LocalAPI
from si_mcp.models.recurrence import occurrence_date

from .conftest import Tenant

pytestmark = pytest.mark.anyio


class Clock:
    """The time the books see; tests move it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: str, hour: int = 9) -> datetime:
        self.now = datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2027, 1, 10, 9, tzinfo=UTC))


@pytest.fixture
async def app(tmp_path: Path, clock: Clock) -> AsyncIterator[LocalAPI]:
    local = create_app(database_url=f"sqlite+aiosqlite:///{tmp_path}/t.db", data_dir=tmp_path, clock=clock)
    yield local
    await local.aclose()


async def template(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"date": "2027-01-10", "dateDue": "2027-01-24", "note": "Hosting of rocket.example"}
    return await tenant.invoice(**{**fields, **overrides})


async def recur(tenant: Tenant, document_id: str, **fields: Any) -> dict[str, Any]:
    response = await tenant.api.post(f"/documents/{document_id}/recurrence", json={"name": "Hosting", **fields})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def invoices(tenant: Tenant) -> list[dict[str, Any]]:
    response = await tenant.api.get(
        f"/organizations/{tenant.org_id}/documents", params={"filter": '{"order":"number"}'}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def recurrence(tenant: Tenant, recurrence_id: str) -> dict[str, Any]:
    return (await tenant.api.get(f"/recurrences/{recurrence_id}")).json()  # type: ignore[no-any-return]


async def occurrences(tenant: Tenant, recurrence_id: str) -> list[tuple[int, str]]:
    """What the recurrence issued (whichever run did it: the app's own timer may run a pass too)."""
    return [(d["iteration"], d["date"]) for d in (await recurrence(tenant, recurrence_id))["_recurrenceDates"]]


def test_occurrences_are_counted_from_the_first_day_so_month_ends_come_back() -> None:
    first = date(2027, 1, 31)
    assert [occurrence_date(first, "month", i) for i in (1, 2, 3, 4)] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert occurrence_date(date(2028, 2, 29), "year", 2) == date(2029, 2, 28)
    assert occurrence_date(first, "week", 3) == date(2027, 2, 14)


async def test_a_monthly_recurrence_issues_a_copy_on_its_day_and_only_once(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"], numRecurrences=3)
    assert made["dateFirst"] == "2027-02-10"  # one month after the template
    assert made["nextDate"] == "2027-02-10"
    assert made["_recurrenceDates"] == []
    assert (await tenant.api.get(f"/documents/{source['id']}/recurrence")).json()["id"] == made["id"]

    clock.set("2027-02-09")
    assert await app.scheduler.run_due() == []
    clock.set("2027-02-10")
    await app.scheduler.run_due()
    await app.scheduler.run_due()  # the same day again: nothing new

    books = await invoices(tenant)
    assert [d["number"] for d in books] == ["2027-00001", "2027-00002"]
    copy = books[1]
    assert copy["date"].startswith("2027-02-10") and copy["dateDue"].startswith("2027-02-24")  # the 14-day term
    assert copy["_documentClient"]["name"] == source["_documentClient"]["name"]
    assert copy["_documentItems"][0]["name"] == "Space suit"
    assert Decimal(str(copy["totalWithTax"])) == Decimal(str(source["totalWithTax"]))
    assert copy["note"] == "Hosting of rocket.example"
    after = await recurrence(tenant, made["id"])
    assert [(d["iteration"], d["date"], d["documentId"]) for d in after["_recurrenceDates"]] == [
        (1, "2027-02-10", copy["id"])
    ]
    assert after["nextDate"] == "2027-03-10"


async def test_an_invoice_of_the_last_day_of_a_month_recurs_on_the_last_day_of_each_month(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    clock.set("2027-01-31")
    source = await template(tenant, date="2027-01-31", dateDue="2027-02-14")
    made = await recur(tenant, source["id"])
    assert (made["dateFirst"], made["nextDate"]) == ("2027-02-28", "2027-02-28")
    assert "_anchor" not in made
    same = await tenant.api.put(f"/recurrences/{made['id']}", json={"type": "month", "dateFirst": "2027-02-28"})
    assert same.status_code == 200, same.text  # the schedule sent again unchanged keeps counting from the 31st

    for day in ("2027-02-28", "2027-03-31", "2027-04-30"):
        clock.set(day)
        await app.scheduler.run_due()

    assert await occurrences(tenant, made["id"]) == [(1, "2027-02-28"), (2, "2027-03-31"), (3, "2027-04-30")]
    changed = await tenant.api.put(f"/recurrences/{made['id']}", json={"dateFirst": "2027-05-28"})
    assert changed.json()["nextDate"] == "2027-05-28"  # a first day given anew is the schedule's own


async def test_after_downtime_every_missed_occurrence_is_issued_once_dated_the_day_it_is_issued(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"], numRecurrences=3)
    clock.set("2027-04-15")
    await app.scheduler.run_due()
    assert await occurrences(tenant, made["id"]) == [(1, "2027-02-10"), (2, "2027-03-10"), (3, "2027-04-10")]
    books = await invoices(tenant)
    assert len(books) == 4
    assert {d["date"][:10] for d in books[1:]} == {"2027-04-15"}  # numbers must follow dates: dated today
    finished = await recurrence(tenant, made["id"])
    assert finished["nextDate"] is None
    clock.set("2027-12-31")
    assert await app.scheduler.run_due() == []


async def test_a_restart_never_issues_an_occurrence_again(tmp_path: Path, clock: Clock, new_tenant: Any) -> None:
    tenant = await new_tenant()
    source = await template(tenant)
    await recur(tenant, source["id"])
    clock.set("2027-02-10")
    url = f"sqlite+aiosqlite:///{tmp_path}/t.db"
    first = create_app(database_url=url, data_dir=tmp_path, clock=clock)
    await first.start()
    await first.scheduler.run_due()
    await first.aclose()
    again = create_app(database_url=url, data_dir=tmp_path, clock=clock)
    await again.start()
    assert await again.scheduler.run_due() == []
    await again.aclose()
    assert len(await invoices(tenant)) == 2


async def test_two_schedulers_racing_on_the_same_books_issue_each_occurrence_once(
    tmp_path: Path, clock: Clock, new_tenant: Any
) -> None:
    tenant = await new_tenant()
    for day in ("2027-01-04", "2027-01-05", "2027-01-06"):
        source = await template(tenant, date=day, dateDue=day)
        await recur(tenant, source["id"], type="week", dateFirst="2027-01-11")
    clock.set("2027-02-01")  # four weeks of three subscriptions are due
    url = f"sqlite+aiosqlite:///{tmp_path}/t.db"
    apps = [create_app(database_url=url, data_dir=tmp_path, clock=clock) for _ in range(2)]
    for app in apps:
        await app.start()  # one after the other: alembic's context is process-global

    async def run(app: LocalAPI) -> None:
        await app.scheduler.run_due()

    async with anyio.create_task_group() as group:
        for app in apps:
            group.start_soon(run, app)
    for app in apps:
        await app.aclose()
    books = await invoices(tenant)
    assert len(books) == 3 + 3 * 4  # not one more: no occurrence was issued by both
    assert len({d["number"] for d in books}) == len(books)
    listed = (await tenant.api.get(f"/organizations/{tenant.org_id}/recurrences")).json()
    assert [[d["iteration"] for d in r["_recurrenceDates"]] for r in listed] == [[1, 2, 3, 4]] * 3


async def test_a_paused_recurrence_issues_nothing_and_resumes_from_today(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"])
    paused = await tenant.api.put(f"/recurrences/{made['id']}", json={"paused": True})
    assert paused.status_code == 200 and paused.json()["paused"] is True
    clock.set("2027-03-20")
    assert await app.scheduler.run_due() == []
    resumed = (await tenant.api.put(f"/recurrences/{made['id']}", json={"paused": False})).json()
    assert resumed["nextDate"] == "2027-04-10"  # what fell due while paused is skipped, not caught up
    assert await app.scheduler.run_due() == []
    assert len(await invoices(tenant)) == 1


async def test_a_deleted_recurrence_stops(tenant: Tenant, app: LocalAPI, clock: Clock) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"])
    deleted = await tenant.api.delete(f"/recurrences/{made['id']}")
    assert deleted.json() == {"count": 1}
    assert (await tenant.api.get(f"/recurrences/{made['id']}")).status_code == 404
    assert (await tenant.api.get(f"/organizations/{tenant.org_id}/recurrences")).json() == []
    clock.set("2027-02-10")
    assert await app.scheduler.run_due() == []
    again = await recur(tenant, source["id"], name="Hosting again")  # the document may recur anew
    assert (await tenant.api.get(f"/organizations/{tenant.org_id}/recurrences/count")).json() == {"count": 1}
    assert again["nextDate"] == "2027-02-10"  # today: the deleted one issued nothing


async def test_a_refused_occurrence_is_recorded_and_issued_when_it_can_be(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"])
    await tenant.invoice(date="2027-02-20")  # numbered ahead of the occurrence's day
    clock.set("2027-02-10")
    assert await app.scheduler.run_due() == []
    waiting = await recurrence(tenant, made["id"])
    assert "2027-02-20" in waiting["lastError"] and waiting["nextDate"] == "2027-02-10"
    clock.set("2027-02-20")
    await app.scheduler.run_due()
    assert await occurrences(tenant, made["id"]) == [(1, "2027-02-10")]
    assert (await recurrence(tenant, made["id"]))["lastError"] is None


async def test_a_recurrence_is_refused_what_it_could_not_do(tenant: Tenant, expect_error: Any) -> None:
    source = await template(tenant)
    past = await tenant.api.post(f"/documents/{source['id']}/recurrence", json={"name": "x", "dateFirst": "2027-01-09"})
    assert "before today" in expect_error(past, 422)["message"]
    estimate = await tenant.invoice(type="estimate", date="2027-01-10")
    refused = await tenant.api.post(f"/documents/{estimate['id']}/recurrence", json={"name": "x"})
    expect_error(refused, 422)
    silent = await tenant.invoice(date="2027-01-10", _documentClient={"name": "No email Ltd", "country": "Belgium"})
    no_email = await tenant.api.post(f"/documents/{silent['id']}/recurrence", json={"name": "x", "autoSend": True})
    assert "email" in expect_error(no_email, 422)["message"]
    await recur(tenant, source["id"])
    twice = await tenant.api.post(f"/documents/{source['id']}/recurrence", json={"name": "y"})
    assert "already recurs" in expect_error(twice, 422)["message"]
    unknown = await tenant.api.post(f"/documents/{source['id']}/recurrence", json={"name": "y", "every": "day"})
    expect_error(unknown, 422)


async def test_the_recurrences_of_an_organization_are_filtered_ordered_and_counted_like_any_list(
    tenant: Tenant,
) -> None:
    monthly = await recur(tenant, (await template(tenant))["id"], name="Hosting")
    yearly = await recur(tenant, (await template(tenant))["id"], name="Domain", type="year", paused=True)
    url = f"/organizations/{tenant.org_id}/recurrences"

    paused = await tenant.api.get(url, params={"filter": json.dumps({"where": {"paused": True}})})
    by_name = await tenant.api.get(url, params={"filter": json.dumps({"order": "name ASC", "limit": 1})})
    yearly_count = await tenant.api.get(f"{url}/count", params={"where": json.dumps({"type": "year"})})
    bad = await tenant.api.get(url, params={"filter": json.dumps({"order": "name SIDEWAYS"})})
    due_soon = await tenant.api.get(url, params={"filter": json.dumps({"where": {"nextDate": {"lte": "2027-02-10"}}})})
    not_a_day = await tenant.api.get(url, params={"filter": json.dumps({"where": {"nextDate": "soon"}})})

    assert [r["id"] for r in paused.json()] == [yearly["id"]]
    assert [r["name"] for r in by_name.json()] == ["Domain"]
    assert yearly_count.json() == {"count": 1}
    assert bad.status_code == 400 and not_a_day.status_code == 400
    assert [r["id"] for r in due_soon.json()] == [monthly["id"]]  # the yearly one is next due in 2028
    everything = (await tenant.api.get(url, params={"filter": json.dumps({"order": "createdAt DESC"})})).json()
    assert [r["id"] for r in everything] == [yearly["id"], monthly["id"]]


async def test_a_recurrence_of_another_tenant_is_not_found(new_tenant: Any, expect_error: Any) -> None:
    owner, other = await new_tenant(), await new_tenant()
    made = await recur(owner, (await template(owner))["id"])
    for response in (
        await other.api.get(f"/recurrences/{made['id']}"),
        await other.api.put(f"/recurrences/{made['id']}", json={"paused": True}),
        await other.api.delete(f"/recurrences/{made['id']}"),
    ):
        expect_error(response, 404)
    assert (await recurrence(owner, made["id"]))["paused"] is False


async def test_the_api_serves_recurrences_to_a_plain_http_client(tenant: Tenant) -> None:
    assert isinstance(tenant.api, httpx.AsyncClient)
    made = await recur(tenant, (await template(tenant))["id"], type="year", numRecurrences=2, custom={"plan": "gold"})
    listed = (await tenant.api.get(f"/organizations/{tenant.org_id}/recurrences")).json()
    assert [(r["id"], r["type"], r["numRecurrences"], r["custom"]) for r in listed] == [
        (made["id"], "year", 2, {"plan": "gold"})
    ]
    assert made["dateFirst"] == "2028-01-10"


async def test_a_copy_states_its_own_number_and_due_date_not_the_templates(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant, note="Pay by [document due] with reference [document number].")
    assert source["note"] == "Pay by 2027-01-24 with reference 2027-00001."
    await recur(tenant, source["id"])
    clock.set("2027-02-10")
    await app.scheduler.run_due()
    copy = (await invoices(tenant))[1]
    assert "2027-01-24" not in copy["note"] and "2027-00001" not in copy["note"]  # the organization's default note


async def test_a_copy_takes_the_clients_current_details_and_its_last_known_ones_once_deleted(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant)
    await recur(tenant, source["id"])
    moved = await tenant.api.patch(f"/clients/{source['clientId']}", json={"address": "New street 2"})
    assert moved.status_code == 200, moved.text
    clock.set("2027-02-10")
    await app.scheduler.run_due()
    assert (await invoices(tenant))[1]["_documentClient"]["address"] == "New street 2"
    assert (await tenant.api.delete(f"/clients/{source['clientId']}")).status_code == 200
    clock.set("2027-03-10")
    await app.scheduler.run_due()
    last = (await invoices(tenant))[2]
    assert last["_documentClient"]["name"] == "Rocket man"


async def test_an_organization_in_a_language_without_texts_still_gets_its_copies(
    new_tenant: Any, app: LocalAPI, clock: Clock
) -> None:
    tenant = await new_tenant(country="Portugal")
    source = await template(
        tenant, _documentItems=[{"name": "Hosting", "price": 10, "_documentItemTaxes": [{"rate": 23}]}]
    )
    made = await recur(tenant, source["id"])
    clock.set("2027-02-10")
    await app.scheduler.run_due()
    assert await occurrences(tenant, made["id"]) == [(1, "2027-02-10")]


async def test_a_canceled_template_ends_the_recurrence_with_a_reason(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"])
    assert (await tenant.api.post(f"/documents/{source['id']}/cancel")).status_code == 200
    clock.set("2027-02-10")
    await app.scheduler.run_due()
    ended = await recurrence(tenant, made["id"])
    assert ended["nextDate"] is None and "canceled" in ended["lastError"]
    assert len(await invoices(tenant)) == 1


async def test_changing_a_recurrence_keeps_an_occurrence_that_is_due_and_refuses_bad_values(
    tenant: Tenant, app: LocalAPI, clock: Clock, expect_error: Any
) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"])
    await tenant.invoice(date="2027-02-20")  # the February copy is refused until then
    clock.set("2027-02-15")
    await app.scheduler.run_due()
    changed = (await tenant.api.put(f"/recurrences/{made['id']}", json={"numRecurrences": 5})).json()
    assert changed["nextDate"] == "2027-02-10" and changed["lastError"] is None  # still due: not skipped
    expect_error(await tenant.api.put(f"/recurrences/{made['id']}", json={"dateFirst": None}), 422)
    expect_error(await tenant.api.put(f"/recurrences/{made['id']}", json={"dateFirst": "2027-01-01"}), 422)


async def test_a_deactivated_organization_issues_nothing_until_it_is_activated_again(
    tenant: Tenant, app: LocalAPI, clock: Clock
) -> None:
    source = await template(tenant)
    made = await recur(tenant, source["id"], numRecurrences=2)
    assert (await tenant.api.post(f"/organizations/{tenant.org_id}/deactivate")).status_code == 200

    clock.set("2027-02-10")
    assert await app.scheduler.run_due() == []
    waiting = await recurrence(tenant, made["id"])

    assert (await tenant.api.post(f"/organizations/{tenant.org_id}/activate")).status_code == 200
    issued = await app.scheduler.run_due()

    assert waiting["_recurrenceDates"] == [] and waiting["nextDate"] == "2027-02-10"
    assert [one.document["number"] for one in issued] == ["2027-00002"]
