"""The package surface: what it exports, and what importing it costs."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import si_mcp.client

HEAVY = ("sqlalchemy", "aiosqlite", "typst", "si_mcp.local", "mcp", "si_mcp.server", "babel", "aiosmtplib")


def test_exported_members() -> None:
    assert sorted(si_mcp.client.__all__) == sorted(
        [
            "DEFAULT_API_URL",
            "LOCAL_BASE_URL",
            "APIConnectionError",
            "APIResponseValidationError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "BadRequestError",
            "Clock",
            "ConflictError",
            "EInvoiceIncompleteError",
            "NotFoundError",
            "PermissionDeniedError",
            "NotImplementedByServerError",
            "ReportTooLargeError",
            "RateLimitError",
            "ServerError",
            "SpaceInvoices",
            "SpaceInvoicesError",
            "SystemClock",
            "UnprocessableEntityError",
        ]
    )
    for name in si_mcp.client.__all__:
        assert getattr(si_mcp.client, name) is not None


def test_every_status_error_is_a_space_invoices_error_and_501_is_a_server_error() -> None:
    from si_mcp.client import APIStatusError, NotImplementedByServerError, ServerError, SpaceInvoicesError

    assert issubclass(NotImplementedByServerError, ServerError)
    assert issubclass(APIStatusError, SpaceInvoicesError)


def test_importing_the_client_and_building_a_local_one_loads_no_database_or_pdf_code() -> None:
    code = (
        "import sys\n"
        "from si_mcp.client import SpaceInvoices\n"
        "api = SpaceInvoices.local('sqlite+aiosqlite:///:memory:')\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m.startswith({HEAVY!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def public_methods(owner: type) -> dict[str, object]:
    members = {name: getattr(owner, name) for name in vars(owner) if name == "__init__" or not name.startswith("_")}
    return {name: member for name, member in members.items() if inspect.isfunction(member) or inspect.ismethod(member)}


def test_every_public_client_method_documents_what_it_raises() -> None:
    from si_mcp.client import SpaceInvoices, resources

    owners = [SpaceInvoices, *(getattr(resources, name) for name in resources.__all__)]
    methods = {f"{owner.__name__}.{name}": member for owner in owners for name, member in public_methods(owner).items()}
    assert len(methods) > 50
    undocumented = [name for name, member in methods.items() if "Raises:" not in (inspect.getdoc(member) or "")]
    assert undocumented == ["SpaceInvoices.aclose"]


def test_the_package_ships_its_py_typed_marker() -> None:
    assert (Path(si_mcp.client.__file__).parent.parent / "py.typed").is_file()
