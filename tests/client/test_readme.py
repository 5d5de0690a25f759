"""The README's "Use the client from Python" example runs as written, against the embedded API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parent.parent.parent / "README.md"
HEADING = "## Use the client from Python"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    assert HEADING in text, f"README lost its {HEADING!r} section"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "the README section has no python example"
    return found.group(1)


def test_the_readme_client_example_runs_prints_the_paid_seed_invoice_sends_it_and_saves_its_pdf(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SI_MCP_", "SPACEINVOICES_"))}
    env["SI_MCP_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", readme_example()], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    printed = r"\d{4}-00001 12100 True\nsaved written to \S+\.eml \(no SMTP server configured\)\n"
    assert re.fullmatch(printed, result.stdout), result.stdout
    assert (tmp_path / "books.db").exists()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF-")
