"""docs/v1-compatibility.md is the route table's own record: it matches what the app serves, no documented v1 route is
claimed that is not served (or the reverse), and no documented route lands on another route through a parameter."""

from __future__ import annotations

from pathlib import Path

from si_mcp.local.compat import DOCUMENTED, render, stale

DOC = Path(__file__).resolve().parents[2] / "docs" / "v1-compatibility.md"


def test_the_record_agrees_with_the_route_table_and_nothing_documented_is_shadowed() -> None:
    assert stale() == []


def test_the_compatibility_document_is_the_generated_one() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m si_mcp.local.compat --write"


def test_every_declined_or_missing_route_says_why_or_what_instead() -> None:
    unexplained = [f"{e.method} {e.path}" for e in DOCUMENTED if e.mark == "declined" and not e.note]
    marks = {e.mark for e in DOCUMENTED}

    assert unexplained == []
    assert marks <= {"", "differs", "declined", "not yet"}
