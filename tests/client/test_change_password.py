"""Changing the password through the client, on the embedded API (over httpx's ASGI transport): the old one must be
right, the new one works, the old one no longer does, and every other session of the account ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from si_mcp.client import AuthenticationError, SpaceInvoices

pytestmark = pytest.mark.anyio

OLD, NEW = "Rocket-launch-2024!", "Mars-landing-2031!"


async def test_a_changed_password_opens_the_account_and_ends_its_other_sessions(
    tmp_path: Path, database_url: str
) -> None:
    async with SpaceInvoices.local(database_url, data_dir=tmp_path) as api:
        await api.accounts.signup(email="ada@example.com", password=OLD)
        other_session = (await api.accounts.login(email="ada@example.com", password=OLD)).id
        api.set_access_token((await api.accounts.login(email="ada@example.com", password=OLD)).id)

        with pytest.raises(AuthenticationError) as wrong:
            await api.accounts.change_password(old_password="not-it-at-all", new_password=NEW)
        await api.accounts.change_password(old_password=OLD, new_password=NEW)
        still_mine = await api.accounts.authorized()  # this session stays
        api.set_access_token(other_session)
        with pytest.raises(AuthenticationError):
            await api.accounts.authorized()  # the other one ended
        with pytest.raises(AuthenticationError):
            await api.accounts.login(email="ada@example.com", password=OLD)
        fresh = await api.accounts.login(email="ada@example.com", password=NEW)

    assert wrong.value.error.code == "INVALID_PASSWORD"
    assert still_mine.email == "ada@example.com" and fresh.user_id == still_mine.id
