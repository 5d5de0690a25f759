"""The one mapping from client errors to what the model reads.

Anything the model can act on becomes a :class:`ToolError` whose text says what to do next
(the SDK prefixes it with ``Error executing tool <name>: ``). Raw exception text, URLs and
tracebacks never reach the model: the API's own message is included only for validation
failures (it names the fields to fix), cleaned and capped like all untrusted text.
Resources get the same words as a :class:`ResourceError`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from pydantic import BaseModel, ValidationError

from .text import clean

__all__ = ["api_call", "build", "describe", "invalid_arguments", "resource_call"]

M = TypeVar("M", bound=BaseModel)

logger = logging.getLogger("si_mcp.server")


def _unavailable(doing: str) -> str:
    lowered = doing.lower()
    if "pdf" in lowered:
        return "PDF rendering is not available on this backend yet"
    if "send" in lowered or "email" in lowered:
        return "sending email is not available on this backend yet"
    return "this backend does not offer that action"


def _details(details: Any) -> str:
    """Field messages from a LoopBack validation body, as ``field: message`` pairs."""
    if isinstance(details, dict):
        messages = details.get("messages", details)
        if isinstance(messages, dict):
            return "; ".join(
                f"{key}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for key, v in messages.items()
            )
    if isinstance(details, list):
        parts = []
        for entry in details:
            if isinstance(entry, dict):
                where = entry.get("path") or entry.get("loc") or entry.get("field") or ""
                where = ".".join(map(str, where)) if isinstance(where, list | tuple) else str(where)
                parts.append(f"{where}: {entry.get('message') or entry.get('msg') or ''}".strip(": "))
        return "; ".join(parts)
    return ""


def describe(exc: BaseException, doing: str) -> str | None:
    """The model-facing sentence for a client error, or ``None`` when ``exc`` is not one."""
    from si_mcp import client as si  # the client (httpx) stays off the start-up path

    if not isinstance(exc, si.SpaceInvoicesError):
        return None
    if isinstance(exc, si.ReportTooLargeError):
        return f"Could not {doing}: {clean(exc.message, 300)}"
    if isinstance(exc, si.NotImplementedByServerError):
        return f"Could not {doing}: {_unavailable(doing)}. Nothing was changed."
    if isinstance(exc, si.UnprocessableEntityError | si.BadRequestError):
        # The field messages say it all; LoopBack's message only repeats them after "The `X` instance is not valid".
        reason = clean(_details(exc.error.details), 300) or clean(exc.error.message, 200) or "invalid input"
        hint = " To add a VAT rate, call update_organization with vat_rates." if "_documentItemTaxes" in reason else ""
        return (
            f"Could not {doing}: Space Invoices rejected the input: {reason.rstrip('.')}. "
            f"Fix the arguments and call again.{hint}"
        )
    if isinstance(exc, si.ConflictError):
        return f"Could not {doing}: it conflicts with the current state ({clean(exc.error.message, 200).rstrip('.')})."
    if isinstance(exc, si.AuthenticationError):
        return (
            f"Could not {doing}: access denied. The object does not exist in your account, or the access token "
            "(SPACEINVOICES_ACCESS_TOKEN) is invalid."
        )
    if isinstance(exc, si.PermissionDeniedError):
        if exc.error.code == "ORGANIZATION_DEACTIVATED":
            return (
                f"Could not {doing}: the organization is deactivated, so nothing can be changed or issued in its name. "
                "Tell the user; an admin can activate it again in Space Invoices. Reading its books still works."
            )
        return f"Could not {doing}: refused ({clean(exc.error.message, 200).rstrip('.')})."
    if isinstance(exc, si.NotFoundError):
        return f"Could not {doing}: not found. Call find_documents, find_clients or list_organizations to look it up."
    if isinstance(exc, si.RateLimitError):
        wait = f"{exc.retry_after:.0f} s" if exc.retry_after is not None else "a minute"
        if exc.error.code == "TOO_MANY_EMAILS":  # the organization's own sending limit (embedded books)
            return (
                f"Could not {doing}: {clean(exc.error.message, 300)} Tell the user; to send it, call again after "
                f"{wait}."
            )
        return f"Could not {doing}: Space Invoices is rate limiting requests. Wait {wait}, then call again."
    if isinstance(exc, si.APIStatusError | si.APIResponseValidationError):
        return f"Could not {doing}: the invoicing backend failed ({exc.status_code}). Try again later."
    if isinstance(exc, si.APIConnectionError):
        return (
            f"Could not {doing}: the invoicing backend did not answer. If this changed something, the outcome is "
            "unknown: check with find_documents before trying again."
        )
    return f"Could not {doing}: the invoicing backend failed."


@contextmanager
def api_call(doing: str) -> Iterator[None]:
    """Turn client errors raised inside the block into a :class:`ToolError` about ``doing``."""
    try:
        yield
    except ToolError:
        raise
    except Exception as exc:
        message = describe(exc, doing)
        if message is None:
            raise
        logger.info("client error while trying to %s: %r", doing, exc)
        raise ToolError(message) from None


@contextmanager
def resource_call(doing: str) -> Iterator[None]:
    """Like :func:`api_call` for resources: a missing object is a ``ResourceNotFoundError``."""
    from si_mcp import client as si

    try:
        yield
    except ToolError as exc:  # raised by the shared lookups
        raise ResourceNotFoundError(str(exc)) from None
    except (si.NotFoundError, si.AuthenticationError):
        raise ResourceNotFoundError(f"Could not {doing}: not found in your account.") from None
    except si.SpaceInvoicesError as exc:
        raise ResourceError(describe(exc, doing) or f"Could not {doing}.") from None


def _problems(exc: ValidationError) -> str:
    """``field: message`` for the first few errors; the rejected values are left out (they are the caller's)."""
    return clean(
        "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'value'}: {error['msg']}" for error in exc.errors()[:5]
        ),
        400,
    )


def invalid_arguments(exc: ValidationError) -> str:
    """The model-facing sentence for tool arguments that do not match the input schema."""
    return f"Invalid arguments: {_problems(exc)}. Fix them and call again."


def build(model: type[M], what: str, /, **fields: Any) -> M:
    """Build a request body; invalid values become a ToolError naming the fields (never a crash)."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise ToolError(f"Invalid {what}: {_problems(exc)}. Fix the arguments and call again.") from None
