"""Handing e-invoices to the Peppol network: the seam for an access point.

si-mcp does not join the Peppol network itself: that takes a certified access point (a provider with its PKI
certificates, its contract with OpenPeppol and the AS4 transport). What si-mcp hands over is a UBL checked against the
EN 16931 rules, with the sender and receiver addresses read from it. An access point is one class with one method
(:class:`AccessPoint`); the one shipped, :class:`FolderAccessPoint`, drops each UBL into a folder that a provider's
connector picks up (most providers offer a folder or SFTP integration). A provider's HTTP API would be a second class
of the same shape, chosen in :func:`access_point_for`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from si_mcp.settings import Settings

__all__ = ["AccessPoint", "AccessPointError", "FolderAccessPoint", "Transmission", "access_point_for"]


class AccessPointError(Exception):
    """The access point refused the document or could not be reached; nothing was handed over."""


@dataclass(frozen=True)
class Transmission:
    """One checked UBL to route from ``sender`` to ``receiver`` (Peppol participant ids, ``scheme:id``)."""

    document_id: str
    number: str
    sender: str
    receiver: str
    ubl: bytes


class AccessPoint(Protocol):
    async def transmit(self, transmission: Transmission) -> str:
        """Hand the document over; the access point's reference for it. Handing the same document over again replaces
        what was handed before (a retry after a crash must not become a second invoice). AccessPointError when
        refused or unreachable."""
        ...


@dataclass(frozen=True)
class FolderAccessPoint:
    """Drops ``<number>_<document id>.xml`` into ``folder``, atomically (a connector never sees half a file), one name
    per document so a repeat replaces it."""

    folder: Path

    async def transmit(self, transmission: Transmission) -> str:
        import anyio.to_thread

        stem = re.sub(r"[^\w.\-]+", "_", transmission.number).strip("._") or "document"
        path = self.folder / f"{stem[:100]}_{transmission.document_id}.xml"
        try:
            await anyio.to_thread.run_sync(_write_atomically, path, transmission.ubl)
        except OSError as error:
            raise AccessPointError(f"could not write {path.name} to the access point folder: {error}") from error
        return path.name


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # dot files: connectors skip them
    partial.write_bytes(data)
    os.replace(partial, path)


def access_point_for(settings: Settings | None) -> AccessPoint | None:
    """The configured access point (``SI_MCP_PEPPOL_FOLDER``), or None: the books then make e-invoices but send none."""
    if settings is None or settings.peppol_folder is None:
        return None
    return FolderAccessPoint(settings.peppol_folder)
