"""Structured e-invoices from the books: EN 16931 in UBL 2.1, Peppol BIS Billing 3.0 (:mod:`.ubl`), and their offline
validation with the official CEN artefacts (:mod:`.validation`).

The mapping is pure (a wire ``Document`` and its ``Organization`` in, XML bytes out: no I/O, no SQL, no ``mcp``), so
the local API, the client (against the real Space Invoices API, which has no such route) and tests all build the very
same document. Validation reads the artefacts shipped in ``artefacts/`` and runs them with Saxon, offline.
"""

from __future__ import annotations

from .ubl import PEPPOL_BIS3, EInvoiceError, Ubl, paid_at_issue, participants, to_ubl

__all__ = ["PEPPOL_BIS3", "EInvoiceError", "Ubl", "paid_at_issue", "participants", "to_ubl"]
