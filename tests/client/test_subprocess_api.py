"""One run over real HTTP: the client against a ``si-mcp api`` process on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import anyio
import pytest

from si_mcp.client import APIConnectionError, AuthenticationError, SpaceInvoices
from si_mcp.models import DocumentCreate, DocumentUpdate, Filter, OrganizationCreate, WebhookCreate
from tests.webhook_receiver import Receiver, receiver

pytestmark = pytest.mark.anyio
__all__ = ["receiver"]  # the fixture

PASSWORD = "Rocket-launch-2024!"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def api_process(tmp_path: Path) -> Iterator[str]:
    """Start ``python -m si_mcp api`` on a free port; yield its base URL; stop it afterwards."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SI_MCP_", "SPACEINVOICES_"))}
    env["SI_MCP_DATA_DIR"] = str(tmp_path / "data")
    env["SI_MCP_WEBHOOKS_ALLOW_PRIVATE"] = "true"  # the tests' webhook receiver listens on loopback
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "si_mcp", "api", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


async def _wait_until_it_answers(api: SpaceInvoices) -> None:
    with anyio.fail_after(30):
        while True:
            try:
                await api.accounts.authorized()
            except AuthenticationError:
                return  # an answer, even a 401, means the server is up
            except APIConnectionError:
                await anyio.sleep(0.05)  # not listening yet


async def test_the_client_works_against_a_real_api_process(api_process: str) -> None:
    async with SpaceInvoices(base_url=api_process, max_retries=0) as api:
        assert not api.is_local  # not known yet: keyed payments and sends are not retried
        await _wait_until_it_answers(api)
        assert api.is_local  # its answers said it is the embedded API, which keeps idempotency keys
        account = await api.accounts.signup(email="ada@example.com", password=PASSWORD)
        token = await api.accounts.login(email="ada@example.com", password=PASSWORD)
        api.set_access_token(token.id)
        organization = await api.organizations.create(
            account.id, body=OrganizationCreate(name="International Space Agency", country="Belgium")
        )
        created = await api.documents.create(
            organization.id,
            body=DocumentCreate.model_validate(
                {
                    "_documentClient": {"name": "Rocket man", "country": "United Kingdom"},
                    "_documentItems": [
                        {"name": "Space suit", "price": Decimal("19.99"), "_documentItemTaxes": [{"rate": 21}]}
                    ],
                }
            ),
        )
        listed = await api.documents.list(organization.id, filter=Filter(where={"type": "invoice"}, limit=10))
    assert [document.id for document in listed] == [created.id]
    assert (created.total, created.total_with_tax) == (Decimal("19.99"), Decimal("24.19"))


async def test_the_v1_routes_the_sdks_call_work_over_real_http(api_process: str, receiver: Receiver) -> None:
    async with SpaceInvoices(base_url=api_process, max_retries=0) as api:
        await _wait_until_it_answers(api)
        assert await api.accounts.is_unique(email="ada@example.com")
        account = await api.accounts.signup(email="ada@example.com", password=PASSWORD)
        api.set_access_token((await api.accounts.login(email="ada@example.com", password=PASSWORD)).id)
        organization = await api.organizations.create(
            account.id, body=OrganizationCreate(name="International Space Agency", country="Belgium")
        )
        hook = WebhookCreate(url=receiver.url, events=["document/create"])
        await api.webhooks.create(organization.id, body=hook)
        invoice = await api.documents.create(
            organization.id,
            body=DocumentCreate.model_validate(
                {
                    "_documentClient": {"name": "Rocket man", "country": "United Kingdom"},
                    "_documentItems": [{"name": "Space suit", "price": 100, "_documentItemTaxes": [{"rate": 21}]}],
                }
            ),
        )
        posted = await anyio.to_thread.run_sync(receiver.wait_for, 1)  # by the process's background sender
        await api.documents.mark_sent(invoice.id)
        tagged = await api.documents.update(invoice.id, body=DocumentUpdate(custom={"project": "Apollo"}))
        comment = await api.comments.create(invoice.id, text="Posted on Monday")
        unit = await api.units.create(organization.id, name="h")
        last = await api.organizations.last_document_number(organization.id)
        link = await api.documents.share(invoice.id)
        api.set_access_token(None)
        public = await api.documents.public(link)
        pdf = await api.documents.public_pdf(link)
        taken = not await api.accounts.is_unique(email="ada@example.com")

    assert posted and receiver.events() == ["document/create"]
    assert tagged.sent_snail_mail is True and tagged.custom == {"project": "Apollo"}
    assert comment.text == "Posted on Monday" and unit.name == "h" and last == invoice.number
    assert public.number == invoice.number and public.custom == {} and pdf.startswith(b"%PDF") and taken
