"""One failed rule of an e-invoice, as the CEN validator and si-mcp's own Peppol checks report it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Violation"]


@dataclass(frozen=True)
class Violation:
    """One failed assertion: its rule id (``BR-CO-15``), ``fatal`` or ``warning``, where, and what it says."""

    rule: str
    flag: str
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.text} (at {self.location})"
