"""One-line descriptions of documents and the questions put to the user before acting on them.

Everything here is text the model or the user reads, so untrusted values go through
:func:`~si_mcp.server.text.clean` and every amount carries its currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from .consent import Action
from .text import clean, decimal_text, money_text
from .views import DocumentSummary, VatLine, document_summary

if TYPE_CHECKING:
    from si_mcp.models import Document, Organization

__all__ = ["KIND", "cancel_action", "document_sentence", "pay_action", "recur_action", "send_action"]

KIND = {"invoice": "Invoice", "estimate": "Estimate", "advance": "Advance invoice", "credit-note": "Credit note"}


def _label(summary: DocumentSummary) -> str:
    return f"{KIND.get(summary.type, summary.type.title())} {summary.number or '(draft, no number yet)'}"


def _state(summary: DocumentSummary) -> str:
    amount = Decimal(summary.amount_due)
    credited = f" ({money_text(Decimal(summary.credited), summary.currency)} credited)" if summary.credited else ""
    # Paid and then credited: the client paid more than it now owes.
    refund = f"; {money_text(-amount, summary.currency)} to refund to the client" if amount < 0 else ""
    if summary.status == "paid":
        return f"paid in full{credited}{refund}"
    if summary.status == "credited":
        return f"credited in full by credit notes{refund}"
    if summary.status == "applied":
        return "credited to the invoice it corrects (a refund, if the client had already paid, shows on that invoice)"
    if summary.status in ("unpaid", "overdue"):
        due = f", due {summary.due_date}" if summary.due_date else ""
        # A credit note is money the organization owes its client, whichever sign its lines carry.
        owed = "to refund" if amount < 0 or summary.type == "credit-note" else "to pay"
        return f"{summary.status}: {money_text(abs(amount), summary.currency)} {owed}{credited}{due}"
    return summary.status


def document_sentence(org_name: str, summary: DocumentSummary, vat: list[VatLine] | None = None) -> str:
    """``Invoice 2026-00001 for Rocket man (International Space Agency): 10,000.00 EUR + VAT … = …; paid in full.``"""
    currency = summary.currency
    groups = ", ".join(f"{line.label}" for line in (vat or [])[:4])
    tax = f" + VAT {money_text(Decimal(summary.tax), currency)}" + (f" ({groups})" if groups else "")
    return (
        f"{_label(summary)} for {clean(summary.client, 60)} ({clean(org_name, 60)}): "
        f"{money_text(Decimal(summary.net), currency)}{tax} = "
        f"{money_text(Decimal(summary.gross), currency)}; {_state(summary)}."
    )


def _facts(org: Organization, doc: Document) -> tuple[DocumentSummary, str]:
    summary = document_summary(doc)
    return summary, f"{_label(summary)} of {clean(org.name, 60)}"


def send_action(
    account_id: str,
    org: Organization,
    doc: Document,
    *,
    recipients: list[str],
    stored_email: str | None,
    subject: str | None,
    message: str | None,
    resend: bool,
    language: str | None = None,
    reminder: bool = False,
    ubl: bool = False,
    remember_ubl: bool = False,
) -> Action:
    """The question before emailing ``doc`` (or a payment reminder for it); ``stored_email`` is the client's own
    address, and any other recipient is called out, so an address picked up elsewhere (a note, a document) cannot
    pass unseen. ``ubl``: the Peppol UBL goes too; ``remember_ubl``: and that becomes the client's choice."""
    summary, what = _facts(org, doc)
    ask = f"Email a payment reminder for {what}" if reminder else f"Email {what}"
    lines = [f"{ask}?", f"To: {', '.join(clean(r, 100) for r in recipients)}"]
    stored = (stored_email or "").strip()
    other = [r for r in recipients if r.casefold() != stored.casefold()]
    if other:
        given = ", ".join(clean(r, 100) for r in other)
        verb = "is" if len(other) == 1 else "are"
        lines.append(
            f"Attention: {given} {verb} not the client's stored email ({clean(stored, 100)})."
            if stored
            else f"Attention: the client has no stored email; {given} comes from this request."
        )
    lines += [
        f"Client: {clean(summary.client, 60)}",
        f"Amount: {money_text(Decimal(summary.gross), summary.currency)} ({_state(summary)})",
    ]
    if subject:
        lines.append(f"Subject: {clean(subject, 120)}")
    if message:
        lines.append(f"Message: {clean(message, 200)}")
    if language:
        lines.append(f"Language: {clean(language, 20)}")
    if ubl or remember_ubl:
        attached = "the PDF and the Peppol UBL e-invoice" if ubl else "the PDF only, no Peppol UBL"
        lines.append(f"Attached: {attached}" + (" (kept as this client's choice)" if remember_ubl else ""))
    args = {
        "recipients": ",".join(sorted(r.casefold() for r in recipients)),
        "subject": subject or "",
        "message": message or "",
        "resend": "1" if resend else "0",
        "language": language or "",
        "ubl": f"{int(ubl)}{int(remember_ubl)}",
    }
    if reminder and doc.reminders:
        lines.append(f"Reminders sent before: {doc.reminders}")
    return Action("remind" if reminder else "send", account_id, org, doc, args, "\n".join(lines))


def pay_action(
    account_id: str,
    org: Organization,
    doc: Document,
    *,
    amount: Decimal,
    payment_type: str,
    day: dt.date,
    note: str | None,
) -> Action:
    summary, what = _facts(org, doc)
    remaining = Decimal(summary.amount_due) - amount
    kind = "a refund to the client" if amount < 0 else "a payment"
    lines = [
        f"Record {kind} on {what}?",
        f"Amount: {money_text(amount, summary.currency)} by {payment_type} on {day.isoformat()}",
        f"Client: {clean(summary.client, 60)}; invoice total {money_text(Decimal(summary.gross), summary.currency)}",
        f"Still due afterwards: {money_text(max(remaining, Decimal(0)), summary.currency)}",
    ]
    args = {
        "amount": decimal_text(amount),
        "type": payment_type,
        "date": day.isoformat(),
        "note": note or "",
    }
    return Action("pay", account_id, org, doc, args, "\n".join(lines))


def cancel_action(account_id: str, org: Organization, doc: Document, *, delete_payments: bool = False) -> Action:
    summary, what = _facts(org, doc)
    lines = [
        f"Cancel {what}?",
        f"Client: {clean(summary.client, 60)}",
        f"Amount: {money_text(Decimal(summary.gross), summary.currency)} ({_state(summary)})",
        "A canceled document stays in the books (its number is kept) but no longer counts.",
    ]
    payments = [p for p in doc.payments or [] if not p.is_deleted] if delete_payments else []
    if payments:
        lines.append(f"First DELETES its {len(payments)} payment(s), recorded by mistake:")
        lines += [
            f"- {money_text(p.amount, summary.currency)} by {clean(p.type, 20)} on {p.date.date() if p.date else '?'}"
            for p in payments
        ]
    args = {"delete_payments": ",".join(p.id for p in payments)} if payments else {}
    return Action("cancel", account_id, org, doc, args, "\n".join(lines))


def recur_action(
    account_id: str, org: Organization, doc: Document, *, every: str, first: str, times: int | None
) -> Action:
    """The question before setting up a recurrence that emails every copy without asking again."""
    summary, what = _facts(org, doc)
    email = doc.document_client.email if doc.document_client else None
    count = f"{times} times" if times else "until stopped"
    lines = [
        f"Issue a copy of {what} every {every} from {first} ({count}) and email each one automatically?",
        f"To: {clean(email or '(no email)', 100)}, without asking again.",
        f"Client: {clean(summary.client, 60)}",
        f"Amount each time: {money_text(Decimal(summary.gross), summary.currency)}",
    ]
    args = {"every": every, "first": first, "times": str(times or "")}
    return Action("recur", account_id, org, doc, args, "\n".join(lines))
