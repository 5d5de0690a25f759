"""A real browser for the document view: the system Chromium (Debian's package, installed by scripts/browser), driven
by playwright, on a test host page that embeds the view with the official MCP Apps ``AppBridge``.

When Chromium or the host bundle is missing, every browser test skips with the reason (scripts/browser has said it
loudly already)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

HOST = Path(__file__).parent / "host"
BUNDLE = HOST / "dist" / "host.bundle.js"


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("SKIPPED LOUDLY: no chromium on PATH; run scripts/browser as root to install Debian's package")
    if not BUNDLE.is_file():
        pytest.skip(f"SKIPPED LOUDLY: {BUNDLE} is not built; run scripts/browser")
    return found


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    """The host page, loaded and ready (``window.host``), in a fresh headless Chromium."""
    executable = _chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        # --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start; the view keeps the iframe sandbox.
        browser = await driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            context = await browser.new_context(viewport={"width": 720, "height": 900}, device_scale_factor=1)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto((HOST / "host.html").as_uri())
            await page.wait_for_function("window.host !== undefined")
            yield page
            assert errors == [], f"the page raised: {errors}"
        finally:
            await browser.close()
