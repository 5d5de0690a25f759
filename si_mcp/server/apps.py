"""The MCP App (``io.modelcontextprotocol/ui``): one document view that chat clients show in place of a result.

``ui://si-mcp/document.html`` is a self-contained page (HTML, CSS and script in one file, no network) that the
host renders in a sandboxed iframe. ``create_invoice``, ``get_document`` and ``send_invoice`` point at it, but only
for clients that negotiated Apps: the others get exactly the tool list and results they always had. The view
draws what ``get_document`` returns (the one source of its facts) and acts through the same tools a model calls,
so sending and paying pass through the same consent as ever.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files

from mcp.server.apps import APP_MIME_TYPE, Apps, ResourceCsp
from mcp.server.mcpserver.resources import FunctionResource
from mcp.types import Tool

__all__ = ["DOCUMENT_VIEW", "VIEW_TOOLS", "document_view_html", "document_view_extension", "with_document_view"]

DOCUMENT_VIEW = "ui://si-mcp/document.html"
VIEW_TOOLS = frozenset({"create_invoice", "get_document", "send_invoice"})
VIEW_CACHE_MS = 24 * 60 * 60 * 1000  # the page changes only with a release; a day keeps hosts from refetching it


# The printed labels the view shows, taken from the PDF's own table so both say the same.
_PRINTED = (
    "draft canceled paid_in_full number client date_issued date_due date_valid_till corrects refers_to credited_by "
    "item quantity price discount vat amount vat_summary vat_rate vat_base vat_amount total_net total_tax total "
    "total_credited total_paid total_due iban tax_number date_service reference subtotal total_discount"
).split()
# The view's own words (statuses and buttons), per language in LANGUAGES' order: en, nl, fr, de, sl, it, es.
_VIEW: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "from": ("From", "Van", "De", "Von", "Izdajatelj", "Da", "De"),
    "unpaid": ("Unpaid", "Onbetaald", "Impayé", "Offen", "Neplačano", "Non pagato", "Pendiente"),
    "overdue": ("Overdue", "Vervallen", "En retard", "Überfällig", "Zapadlo", "Scaduto", "Vencido"),
    "credited": ("Credited", "Gecrediteerd", "Crédité", "Gutgeschrieben", "Dobropisano", "Accreditato", "Abonado"),
    "applied": ("Applied", "Verrekend", "Imputé", "Verrechnet", "Upoštevano", "Applicata", "Aplicada"),
    "open": ("Open", "Open", "Ouvert", "Offen", "Odprto", "Aperto", "Abierto"),
    "invoiced": ("Invoiced", "Gefactureerd", "Facturé", "Fakturiert", "Zaračunano", "Fatturato", "Facturado"),
    "send_to": (
        "Send to {to}",
        "Versturen naar {to}",
        "Envoyer à {to}",
        "Senden an {to}",
        "Pošlji na {to}",
        "Invia a {to}",
        "Enviar a {to}",
    ),
    "send_again": (
        "Send again to {to}",
        "Opnieuw versturen naar {to}",
        "Renvoyer à {to}",
        "Erneut senden an {to}",
        "Ponovno pošlji na {to}",
        "Invia di nuovo a {to}",
        "Reenviar a {to}",
    ),
    "invoiced_as": (
        "Invoiced as",
        "Gefactureerd als",
        "Facturé par",
        "Abgerechnet mit",
        "Zaračunano z",
        "Fatturato con",
        "Facturado en",
    ),
    "deducted_on": (
        "Deducted on",
        "Afgetrokken op",
        "Déduit sur",
        "Abgezogen auf",
        "Odšteto na",
        "Dedotto su",
        "Deducido en",
    ),
    "record_payment": (
        "Record payment of {amount}",
        "Betaling van {amount} registreren",
        "Enregistrer un paiement de {amount}",
        "Zahlung über {amount} erfassen",
        "Zabeleži plačilo {amount}",
        "Registra pagamento di {amount}",
        "Registrar pago de {amount}",
    ),
    "download_pdf": (
        "Download PDF",
        "PDF downloaden",
        "Télécharger le PDF",
        "PDF herunterladen",
        "Prenesi PDF",
        "Scarica PDF",
        "Descargar PDF",
    ),
    "credit_note": (
        "Issue credit note",
        "Creditnota opmaken",
        "Émettre une note de crédit",
        "Gutschrift ausstellen",
        "Izdaj dobropis",
        "Emetti nota di credito",
        "Emitir nota de crédito",
    ),
    "confirm": ("Confirm", "Bevestigen", "Confirmer", "Bestätigen", "Potrdi", "Conferma", "Confirmar"),
    "cancel": ("Cancel", "Annuleren", "Annuler", "Abbrechen", "Prekliči", "Annulla", "Cancelar"),
    "ask_send": (
        "Email {number} and its PDF to {to}?",
        "{number} en de pdf mailen naar {to}?",
        "Envoyer {number} et son PDF à {to} ?",
        "{number} mit PDF an {to} senden?",
        "Pošljem {number} s PDF na {to}?",
        "Inviare {number} e il suo PDF a {to}?",
        "¿Enviar {number} y su PDF a {to}?",
    ),
    "ask_pay": (
        "Record a payment of {amount} on {number} (bank transfer, today)?",
        "Betaling van {amount} op {number} registreren (overschrijving, vandaag)?",
        "Enregistrer un paiement de {amount} sur {number} (virement, aujourd'hui) ?",
        "Zahlung über {amount} zu {number} erfassen (Überweisung, heute)?",
        "Zabeležim plačilo {amount} za {number} (nakazilo, danes)?",
        "Registrare un pagamento di {amount} su {number} (bonifico, oggi)?",
        "¿Registrar un pago de {amount} en {number} (transferencia, hoy)?",
    ),
    "ask_credit": (
        "Issue a credit note of {amount} that corrects {number}? It gets the next number and cannot be deleted.",
        "Een creditnota van {amount} op {number} opmaken? Ze krijgt het volgende nummer en kan niet worden gewist.",
        "Émettre une note de crédit de {amount} qui rectifie {number} ? Elle prend le numéro suivant et ne peut "
        "pas être supprimée.",
        "Eine Gutschrift über {amount} zu {number} ausstellen? Sie erhält die nächste Nummer und kann nicht "
        "gelöscht werden.",
        "Izdam dobropis {amount} k {number}? Dobi naslednjo številko in ga ni mogoče izbrisati.",
        "Emettere una nota di credito di {amount} che rettifica {number}? Prende il numero successivo e non può "
        "essere eliminata.",
        "¿Emitir una nota de crédito de {amount} que rectifica {number}? Recibe el número siguiente y no se puede "
        "eliminar.",
    ),
    "working": ("Working…", "Bezig…", "En cours…", "Wird ausgeführt…", "V teku…", "In corso…", "Procesando…"),
    "failed": (
        "Not done: {reason}",
        "Niet gelukt: {reason}",
        "Échec : {reason}",
        "Nicht ausgeführt: {reason}",
        "Ni uspelo: {reason}",
        "Non eseguito: {reason}",
        "No se hizo: {reason}",
    ),
}


def view_labels() -> dict[str, dict[str, str]]:
    """Per language: the printed labels (``title_<type>`` included) and the view's own words."""
    from si_mcp.models.labels import LANGUAGES, labels_for  # the models load on the first read, not at start

    table: dict[str, dict[str, str]] = {}
    for index, language in enumerate(LANGUAGES):
        printed = labels_for(language)
        words = {key: printed[key] for key in _PRINTED}
        words.update({key: value for key, value in printed.items() if key.startswith("title_")})
        words.update({key: values[index] for key, values in _VIEW.items()})
        table[language] = words
    return table


def document_view_html() -> str:
    """The page, with the label table filled in (as JSON a ``<script>`` cannot be closed by: ``<`` escaped)."""
    template = files("si_mcp.server").joinpath("html/document.html").read_text(encoding="utf-8")
    labels = json.dumps(view_labels(), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return template.replace("__SI_MCP_LABELS__", labels)


def document_view_extension() -> Apps:
    """The Apps extension with the view registered (a new one per server: no module state)."""
    apps = Apps()
    csp = ResourceCsp()  # nothing to fetch or frame: the host's default (no outside origin) is what the page needs
    apps.add_resource(
        FunctionResource(
            uri=DOCUMENT_VIEW,
            name="document-view",
            title="Document",
            description="An invoice, estimate or credit note as it prints, with send, payment, PDF and credit note.",
            mime_type=APP_MIME_TYPE,
            meta={"ui": {"csp": csp.model_dump(by_alias=True, exclude_none=True), "prefersBorder": True}},
            fn=functools.cache(document_view_html),  # built once, on the first read: a start-up loads no labels
        )
    )
    return apps


def with_document_view(tools: list[Tool]) -> list[Tool]:
    """The tool list for a client that renders Apps: the view's tools point at it."""
    return [
        tool.model_copy(update={"meta": {**(tool.meta or {}), "ui": {"resourceUri": DOCUMENT_VIEW}}})
        if tool.name in VIEW_TOOLS
        else tool
        for tool in tools
    ]
