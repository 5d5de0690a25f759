"""Printed labels of documents and their emails, in every supported language.

A language is chosen by the ``l`` query parameter or the organization's locale. Labels are plain
strings; ``{placeholders}`` are filled with :meth:`str.format` in Python, never by the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from si_mcp.models.language import LANGUAGES

__all__ = ["LANGUAGES", "Language", "UnsupportedLanguageError", "document_title", "labels_for", "resolve_language"]


_TITLES: dict[str, dict[str, str]] = {
    "invoice": {
        "en": "Invoice",
        "nl": "Factuur",
        "fr": "Facture",
        "de": "Rechnung",
        "sl": "Račun",
        "it": "Fattura",
        "es": "Factura",
    },
    "estimate": {
        "en": "Estimate",
        "nl": "Offerte",
        "fr": "Devis",
        "de": "Angebot",
        "sl": "Predračun",
        "it": "Preventivo",
        "es": "Presupuesto",
    },
    "advance": {
        "en": "Advance invoice",
        "nl": "Voorschotfactuur",
        "fr": "Facture d'acompte",
        "de": "Anzahlungsrechnung",
        "sl": "Avansni račun",
        "it": "Fattura d'acconto",
        "es": "Factura de anticipo",
    },
    "delivery-note": {
        "en": "Delivery note",
        "nl": "Leveringsbon",
        "fr": "Bon de livraison",
        "de": "Lieferschein",
        "sl": "Dobavnica",
        "it": "Documento di trasporto",
        "es": "Albarán",
    },
    "credit-note": {
        "en": "Credit note",
        "nl": "Creditnota",
        "fr": "Note de crédit",
        "de": "Gutschrift",
        "sl": "Dobropis",
        "it": "Nota di credito",
        "es": "Nota de crédito",
    },
}

# key -> (en, nl, fr, de, sl, it, es)
_TEXT: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "draft": ("Draft", "Concept", "Brouillon", "Entwurf", "Osnutek", "Bozza", "Borrador"),
    "canceled": ("Canceled", "Geannuleerd", "Annulé", "Storniert", "Stornirano", "Annullato", "Anulado"),
    "paid_in_full": ("Paid", "Betaald", "Payé", "Bezahlt", "Plačano", "Pagato", "Pagado"),
    "number": ("No.", "Nr.", "N°", "Nr.", "Št.", "N.", "N.º"),
    "client": ("Customer", "Klant", "Client", "Kunde", "Kupec", "Cliente", "Cliente"),
    "date_issued": ("Issue date", "Datum", "Date", "Datum", "Datum izdaje", "Data", "Fecha"),
    "date_service": (
        "Service date",
        "Leveringsdatum",
        "Date de prestation",
        "Leistungsdatum",
        "Datum storitve",
        "Data prestazione",
        "Fecha de servicio",
    ),
    "date_delivery": (
        "Delivery date",
        "Leveringsdatum",
        "Date de livraison",
        "Lieferdatum",
        "Datum dobave",
        "Data di consegna",
        "Fecha de entrega",
    ),
    "date_due": ("Due date", "Vervaldatum", "Échéance", "Fällig am", "Rok plačila", "Scadenza", "Vencimiento"),
    "date_valid_till": (
        "Valid until",
        "Geldig tot",
        "Valable jusqu'au",
        "Gültig bis",
        "Veljavnost do",
        "Valido fino al",
        "Válido hasta",
    ),
    "date_paid": (
        "Payment date",
        "Betaaldatum",
        "Date de paiement",
        "Zahlungsdatum",
        "Datum plačila",
        "Data di pagamento",
        "Fecha de pago",
    ),
    "reference": ("Reference", "Referentie", "Référence", "Referenz", "Referenca", "Riferimento", "Referencia"),
    # A credit note names what it corrects (EN 16931 BT-25/BT-26); other documents what they follow.
    "corrects": ("Corrects", "Correctie op", "Rectifie", "Berichtigt", "Popravek k", "Rettifica", "Rectifica"),
    "refers_to": ("Refers to", "Verwijst naar", "Se réfère à", "Bezug", "Nanaša se na", "Riferito a", "Referente a"),
    # An invoice names the credit notes in force that correct it.
    "credited_by": (
        "Credited by",
        "Gecrediteerd door",
        "Avoir",
        "Gutschrift",
        "Dobropis",
        "Nota di credito",
        "Abono",
    ),
    "item": ("Item", "Omschrijving", "Désignation", "Bezeichnung", "Postavka", "Descrizione", "Concepto"),
    "quantity": ("Qty", "Aantal", "Qté", "Menge", "Kol.", "Q.tà", "Cant."),
    "unit": ("Unit", "Eenheid", "Unité", "Einheit", "Enota", "Unità", "Unidad"),
    "price": ("Price", "Prijs", "Prix unitaire", "Einzelpreis", "Cena", "Prezzo", "Precio"),
    "discount": ("Discount", "Korting", "Remise", "Rabatt", "Popust", "Sconto", "Descuento"),
    "vat": ("VAT", "BTW", "TVA", "USt.", "DDV", "IVA", "IVA"),
    "amount": ("Amount", "Bedrag", "Montant", "Betrag", "Znesek", "Importo", "Importe"),
    "vat_summary": (
        "VAT summary",
        "BTW-overzicht",
        "Récapitulatif TVA",
        "USt.-Übersicht",
        "Rekapitulacija DDV",
        "Riepilogo IVA",
        "Resumen de IVA",
    ),
    "vat_rate": ("Rate", "Tarief", "Taux", "Satz", "Stopnja", "Aliquota", "Tipo"),
    "vat_base": ("Base", "Grondslag", "Base HT", "Netto", "Osnova", "Imponibile", "Base imponible"),
    "vat_amount": ("VAT", "BTW", "TVA", "USt.", "DDV", "IVA", "Cuota"),
    "reverse_charge": (
        "reverse charge",
        "btw verlegd",
        "autoliquidation",
        "Reverse Charge",
        "obrnjena davčna obveznost",
        "inversione contabile",
        "inversión del sujeto pasivo",
    ),
    "subtotal": ("Subtotal", "Subtotaal", "Sous-total", "Zwischensumme", "Vmesni seštevek", "Subtotale", "Subtotal"),
    "total_discount": ("Discount", "Korting", "Remise", "Rabatt", "Popust", "Sconto", "Descuento"),
    "total_net": (
        "Total excl. VAT",
        "Totaal excl. btw",
        "Total HT",
        "Summe netto",
        "Skupaj brez DDV",
        "Totale imponibile",
        "Total sin IVA",
    ),
    "total_tax": ("VAT", "BTW", "TVA", "USt.", "DDV", "IVA", "IVA"),
    "total": ("Total", "Totaal", "Total TTC", "Gesamtbetrag", "Skupaj z DDV", "Totale", "Total"),
    "total_credited": ("Credited", "Gecrediteerd", "Avoirs", "Gutgeschrieben", "Dobropisano", "Accreditato", "Abonado"),
    "total_paid": ("Paid", "Betaald", "Payé", "Bezahlt", "Plačano", "Pagato", "Pagado"),
    "total_due": (
        "Amount due",
        "Te betalen",
        "Reste à payer",
        "Offener Betrag",
        "Za plačilo",
        "Da pagare",
        "Pendiente",
    ),
    "payment": ("Payment", "Betaling", "Paiement", "Zahlung", "Plačilo", "Pagamento", "Pago"),
    "pay_by": (
        "Please transfer {amount} by {date}.",
        "Gelieve {amount} over te schrijven vóór {date}.",
        "Merci de virer {amount} avant le {date}.",
        "Bitte überweisen Sie {amount} bis {date}.",
        "Prosimo, nakažite {amount} do {date}.",
        "Si prega di bonificare {amount} entro il {date}.",
        "Por favor, transfiera {amount} antes del {date}.",
    ),
    "pay": (
        "Please transfer {amount}.",
        "Gelieve {amount} over te schrijven.",
        "Merci de virer {amount}.",
        "Bitte überweisen Sie {amount}.",
        "Prosimo, nakažite {amount}.",
        "Si prega di bonificare {amount}.",
        "Por favor, transfiera {amount}.",
    ),
    "iban": ("IBAN", "IBAN", "IBAN", "IBAN", "IBAN", "IBAN", "IBAN"),
    "bank": ("Bank", "Bank", "Banque", "Bank", "Banka", "Banca", "Banco"),
    "swift": ("BIC", "BIC", "BIC", "BIC", "BIC", "BIC", "BIC"),
    "payment_reference": (
        "Reference",
        "Mededeling",
        "Communication",
        "Verwendungszweck",
        "Sklic",
        "Causale",
        "Concepto",
    ),
    "tax_number": ("VAT ID", "Btw-nr.", "N° TVA", "USt-IdNr.", "ID za DDV", "P. IVA", "NIF-IVA"),
    "company_number": (
        "Company no.",
        "Ondernemingsnr.",
        "N° d'entreprise",
        "Handelsreg.-Nr.",
        "Matična št.",
        "Cod. fiscale",
        "N.º registro",
    ),
    "page": ("Page", "Pagina", "Page", "Seite", "Stran", "Pagina", "Página"),
    "page_of": ("of", "van", "sur", "von", "od", "di", "de"),
    "email_subject": (
        "{title} {number} from {organization}",
        "{title} {number} van {organization}",
        "{title} {number} de {organization}",
        "{title} {number} von {organization}",
        "{title} {number} – {organization}",
        "{title} {number} da {organization}",
        "{title} {number} de {organization}",
    ),
    "reminder_subject": (
        "Reminder: {title} {number} from {organization} is overdue",
        "Herinnering: {title} {number} van {organization} is achterstallig",
        "Rappel : {title} {number} – {organization} – échéance dépassée",
        "Zahlungserinnerung: {title} {number} von {organization} ist überfällig",
        "Opomin: {title} {number} ({organization}) je zapadel v plačilo",
        "Sollecito: {title} {number} da {organization} è scaduta",
        "Recordatorio: {title} {number} de {organization} está vencida",
    ),
    # {the_title}: the type with its article, lower case where the language writes it so ("la facture").
    "reminder_body": (
        "Hello,\n\naccording to our records, {the_title} {number} of {date} was due on {due}, and a balance of "
        "{amount} is still open. Please find it attached again and settle it at your earliest convenience. If you "
        "have paid it in the meantime, please disregard this reminder.\n\nKind regards,\n{organization}",
        "Beste,\n\nVolgens onze gegevens was {the_title} {number} van {date} betaalbaar op {due}; er staat nog een "
        "saldo van {amount} open. U vindt ze opnieuw in de bijlage. Gelieve het openstaande bedrag zo spoedig "
        "mogelijk te betalen. Hebt u intussen betaald, dan mag u deze herinnering negeren.\n\n"
        "Met vriendelijke groeten,\n{organization}",
        "Bonjour,\n\nSelon nos données, {the_title} {number} du {date} était payable le {due} ; un solde de "
        "{amount} reste impayé. Vous la trouverez à nouveau en pièce jointe ; merci de la régler dans les meilleurs "
        "délais. Si vous l'avez réglée entre-temps, veuillez ignorer ce rappel.\n\nCordialement,\n{organization}",
        "Guten Tag,\n\nlaut unseren Unterlagen war {the_title} {number} vom {date} am {due} fällig; es ist noch "
        "ein Betrag von {amount} offen. Sie finden sie erneut im Anhang. Bitte begleichen Sie den offenen Betrag "
        "baldmöglichst. Falls Sie inzwischen bezahlt haben, betrachten Sie diese Erinnerung bitte als "
        "gegenstandslos.\n\nMit freundlichen Grüßen\n{organization}",
        "Pozdravljeni,\n\npo naših podatkih je {the_title} {number} z dne {date} zapadel v plačilo {due}, odprt pa "
        "je še znesek {amount}. Dokument vam ponovno pošiljamo v prilogi in vas prosimo za čimprejšnje plačilo. Če "
        "ste medtem že plačali, ta opomin prezrite.\n\nLep pozdrav,\n{organization}",
        "Buongiorno,\n\ndai nostri dati risulta che {the_title} {number} del {date} è scaduta il {due} e che resta "
        "da pagare un saldo di {amount}. La trova nuovamente in allegato; la preghiamo di saldarla al più presto. Se "
        "nel frattempo ha già pagato, non tenga conto di questo sollecito.\n\nCordiali saluti,\n{organization}",
        "Hola:\n\nSegún nuestros registros, {the_title} {number} del {date} vencía el {due} y queda pendiente un "
        "saldo de {amount}. Se la adjuntamos de nuevo; le rogamos que la abone lo antes posible. Si ya la ha pagado, "
        "ignore este recordatorio.\n\nUn saludo,\n{organization}",
    ),
    "reminder_article": ("", "de ", "la ", "die ", "", "la ", "la "),
    "email_body": (
        "Hello,\n\nplease find attached: {title} {number}.\n\nKind regards,\n{organization}",
        "Beste,\n\nIn de bijlage vindt u: {title} {number}.\n\nMet vriendelijke groeten,\n{organization}",
        "Bonjour,\n\nVeuillez trouver ci-joint : {title} {number}.\n\nCordialement,\n{organization}",
        "Guten Tag,\n\nim Anhang finden Sie: {title} {number}.\n\nMit freundlichen Grüßen\n{organization}",
        "Pozdravljeni,\n\nv prilogi vam pošiljamo: {title} {number}.\n\nLep pozdrav,\n{organization}",
        "Buongiorno,\n\nin allegato trova: {title} {number}.\n\nCordiali saluti,\n{organization}",
        "Hola:\n\nle adjuntamos: {title} {number}.\n\nUn saludo,\n{organization}",
    ),
}


class UnsupportedLanguageError(ValueError):
    """The requested language has no labels."""

    def __init__(self, requested: str) -> None:
        self.requested = requested
        super().__init__(f"language {requested[:20]!r} is not supported; use one of: {', '.join(LANGUAGES)}")


@dataclass(frozen=True)
class Language:
    """The label language and the babel locale used for numbers and dates."""

    code: str
    locale: str
    region: str | None = None


def _split(tag: str) -> tuple[str, str | None]:
    parts = tag.strip().replace("_", "-").split("-")
    language = parts[0].lower()
    region = parts[1].upper() if len(parts) > 1 and parts[1] else None
    return language, region


def _babel_locale(language: str, region: str | None) -> str:
    from babel import Locale, UnknownLocaleError

    if region:
        try:
            Locale.parse(f"{language}_{region}")
            return f"{language}_{region}"
        except (UnknownLocaleError, ValueError):
            pass
    return language


def resolve_language(requested: str | None, org_locale: str | None) -> Language:
    """Pick labels and formatting locale from ``l`` (wins) or the organization's locale.

    An explicit ``l`` must be a supported language (clear error otherwise); an organization locale
    without labels falls back to English labels but keeps its own number and date formats. The
    organization's region carries over, so ``l=fr`` for a Belgian organization formats as ``fr_BE``.
    """
    org_language, org_region = _split(org_locale or "en")
    if requested is not None and requested.strip():
        language, region = _split(requested)
        if language not in LANGUAGES:
            raise UnsupportedLanguageError(requested)
        region = region or org_region
        return Language(language, _babel_locale(language, region), region)
    if org_language in LANGUAGES:
        return Language(org_language, _babel_locale(org_language, org_region), org_region)
    fallback = _babel_locale(org_language, org_region) if org_language.isalpha() else "en"
    return Language("en", _safe_locale(fallback), org_region)


def _safe_locale(tag: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return "en"
    return tag


def labels_for(language: str) -> dict[str, str]:
    """Every label in ``language`` (one of :data:`LANGUAGES`), including the per-type titles."""
    index = LANGUAGES.index(language)
    labels = {key: values[index] for key, values in _TEXT.items()}
    labels.update({f"title_{kind}": titles[language] for kind, titles in _TITLES.items()})
    return labels


def document_title(document_type: str, language: str) -> str:
    """The printed title of a document type ("Factuur", "Credit note", ...)."""
    titles = _TITLES.get(document_type, _TITLES["invoice"])
    return titles[language]
