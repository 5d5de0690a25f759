"""Wrong passwords back off, per account and per client address, on an injected clock: a few are free, then each
one more doubles the wait (a 429 with Retry-After, before any password is checked); the right password after the
wait works and clears the account's count."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from si_mcp.local import create_app

pytestmark = pytest.mark.anyio

PASSWORD = "Rocket-launch-2024!"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def served(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    clock = Clock()
    app = create_app(database_url=database_url, data_dir=tmp_path, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1") as api:
        for n in range(3):
            await api.post("/accounts", json={"email": f"user{n}@example.com", "password": PASSWORD})
        yield api, clock
    await app.aclose()


async def _login(api: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await api.post("/accounts/login", json={"email": email, "password": password})


async def test_wrong_passwords_for_one_account_back_off_and_the_right_one_after_the_wait_works(
    served: tuple[httpx.AsyncClient, Clock],
) -> None:
    api, clock = served
    free = [await _login(api, "user0@example.com", "wrong") for _ in range(5)]
    too_soon = await _login(api, "user0@example.com", PASSWORD)  # even the right password waits: 1 s
    clock.now += timedelta(seconds=1)
    sixth = await _login(api, "user0@example.com", "wrong")
    held = await _login(api, "user0@example.com", "wrong")  # now 2 s
    other_account = await _login(api, "user1@example.com", PASSWORD)  # another account is not held up
    clock.now += timedelta(seconds=2)
    right = await _login(api, "user0@example.com", PASSWORD)
    after = await _login(api, "user0@example.com", "wrong")  # the success cleared the count

    assert [r.status_code for r in free] == [401] * 5
    assert too_soon.status_code == 429 and too_soon.headers["Retry-After"] == "1"
    assert too_soon.json()["error"]["code"] == "TOO_MANY_LOGINS"
    assert (sixth.status_code, held.status_code) == (401, 429)
    assert held.headers["Retry-After"] == "2"
    assert other_account.status_code == 200
    assert right.status_code == 200 and after.status_code == 401


async def test_one_address_guessing_many_accounts_is_held_up_too(served: tuple[httpx.AsyncClient, Clock]) -> None:
    api, clock = served
    guesses = [await _login(api, f"nobody{n}@example.com", "wrong") for n in range(20)]
    held = await _login(api, "user2@example.com", PASSWORD)  # the 21st try from this address
    clock.now += timedelta(minutes=16)  # a quiet quarter of an hour forgets it
    later = await _login(api, "user2@example.com", PASSWORD)

    assert [r.status_code for r in guesses] == [401] * 20
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    assert later.status_code == 200


async def test_guesses_from_elsewhere_do_not_lock_the_owner_out(tmp_path: Path, database_url: str) -> None:
    app = create_app(database_url=database_url, data_dir=tmp_path, clock=Clock())
    attacker = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 4444)), base_url="http://local/v1"
    )
    owner = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 5555)), base_url="http://local/v1"
    )
    async with attacker, owner:
        await owner.post("/accounts", json={"email": "owner@example.com", "password": PASSWORD})
        guesses = [await _login(attacker, "owner@example.com", f"guess-{n}") for n in range(10)]
        own = await _login(owner, "owner@example.com", PASSWORD)
    await app.aclose()

    assert [r.status_code for r in guesses] == [401] * 5 + [429] * 5  # the attacker waits
    assert own.status_code == 200  # the owner, elsewhere, does not


async def test_parallel_guesses_are_counted_like_one_after_another(served: tuple[httpx.AsyncClient, Clock]) -> None:
    import anyio

    api, _ = served
    answers: list[int] = []

    async def guess(n: int) -> None:
        answers.append((await _login(api, "user0@example.com", f"guess-{n}")).status_code)

    async with anyio.create_task_group() as group:
        for n in range(12):
            group.start_soon(guess, n)

    assert sorted(answers) == [401] * 5 + [429] * 7


async def test_guesses_spread_over_many_addresses_hold_up_strangers_but_not_the_owners_usual_network(
    tmp_path: Path, database_url: str
) -> None:
    app = create_app(database_url=database_url, data_dir=tmp_path, clock=Clock())

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 4444))
        return httpx.AsyncClient(transport=transport, base_url="http://local/v1")

    async with client("198.51.100.7") as owner:
        await owner.post("/accounts", json={"email": "owner@example.com", "password": PASSWORD})
        assert (await _login(owner, "owner@example.com", PASSWORD)).status_code == 200  # the owner's usual network
        for n in range(25):  # 25 attackers, 4 guesses each: 100 failures on the account
            async with client(f"203.0.113.{n}") as attacker:
                for g in range(4):
                    await _login(attacker, "owner@example.com", f"guess-{n}-{g}")
        async with client("192.0.2.77") as stranger:
            held = await _login(stranger, "owner@example.com", PASSWORD)
        home = await _login(owner, "owner@example.com", PASSWORD)
        async with client("2001:db8:1:2::10") as six_a, client("2001:db8:1:2::99") as six_b:
            for g in range(5):
                await _login(six_a, "other@example.com", f"guess-{g}")
            same_block = await _login(six_b, "other@example.com", "guess")
    await app.aclose()

    assert held.status_code == 429  # a hundred failures: a new place waits
    assert home.status_code == 200  # where the owner logs in from is not held up
    assert same_block.status_code == 429  # an IPv6 /64 is one place
