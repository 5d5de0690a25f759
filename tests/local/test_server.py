"""The real thing: ``si-mcp api`` serves the local API over HTTP on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest
from anyio.streams.text import TextReceiveStream

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_si_mcp_api_serves_signup_login_and_organizations(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SI_MCP_DATA_DIR": str(tmp_path), "SI_MCP_LOG_LEVEL": "INFO"}
    env.pop("SPACEINVOICES_ACCESS_TOKEN", None)
    command = [sys.executable, "-m", "si_mcp", "api", "--host", "127.0.0.1", "--port", str(port)]
    async with await anyio.open_process(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE) as process:
        try:
            assert process.stderr is not None
            log = ""
            with anyio.fail_after(30):  # wait for uvicorn to say it listens; no fixed sleeps
                async for chunk in TextReceiveStream(process.stderr):
                    log += chunk
                    if "Uvicorn running on" in log or process.returncode is not None:
                        break
            assert "Uvicorn running on" in log, log

            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/v1", timeout=10) as api:
                account = (
                    await api.post("/accounts", json={"email": "http@example.com", "password": "over-http-1"})
                ).json()
                token = (
                    await api.post("/Accounts/login", json={"email": "http@example.com", "password": "over-http-1"})
                ).json()
                api.headers["Authorization"] = token["id"]
                org = await api.post(
                    f"/accounts/{account['id']}/organizations", json={"name": "Over HTTP", "country": "Belgium"}
                )
                assert org.status_code == 200 and org.json()["locale"] == "nl-BE"
                invoice = await api.post(
                    f"/organizations/{org.json()['id']}/documents",
                    json={
                        "_documentClient": {"name": "C"},
                        "_documentItems": [{"name": "x", "price": 1, "_documentItemTaxes": [{"rate": 21}]}],
                    },
                )
                assert invoice.json()["pdf"] == f"http://127.0.0.1:{port}/v1/documents/{invoice.json()['id']}/pdf"
                assert (await api.get("/nothing")).json()["error"]["statusCode"] == 404
                # The access log (INFO) prints query strings: the token in one is not printed.
                in_query = await api.get("/accounts/authorized", params={"access_token": token["id"]}, headers={})
                assert in_query.status_code == 200

            # A client that goes away halfway through its body: an INFO line, no traceback, no ERROR.
            with socket.create_connection(("127.0.0.1", port)) as raw:
                raw.sendall(
                    b"POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 1000\r\n\r\n{"email": '
                )
            with anyio.fail_after(30):
                async for chunk in TextReceiveStream(process.stderr):
                    log += chunk
                    if "client disconnected during POST /v1/accounts" in log:
                        break
            assert "client disconnected during POST /v1/accounts" in log, log
            assert "Traceback" not in log and "ERROR" not in log, log
        finally:
            process.terminate()
            with anyio.fail_after(15):
                await process.wait()
        assert process.stdout is not None
        access_log = "".join([chunk async for chunk in TextReceiveStream(process.stdout)])  # uvicorn's, on stdout
    assert "GET /v1/accounts/authorized?access_token=[redacted] HTTP/1.1" in access_log, access_log
    assert token["id"] not in access_log + log
    assert (tmp_path / "books.db").exists()
