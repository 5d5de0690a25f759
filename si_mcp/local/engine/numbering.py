"""Document numbers: ``YYYY-NNNNN`` per (organization, type, year of the document date)."""

from __future__ import annotations

__all__ = ["format_number"]


def format_number(year: int, sequence: int) -> str:
    """``2023-00001``: the year, a dash, the sequence zero-padded to five digits (more when it outgrows them)."""
    return f"{year:04d}-{sequence:05d}"
