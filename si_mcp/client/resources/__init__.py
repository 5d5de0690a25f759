"""One module per API resource; each class is hung off :class:`~si_mcp.client.SpaceInvoices`."""

from .accounts import Accounts
from .clients import Clients
from .defaults import Defaults
from .documents import Documents
from .items import Items
from .organizations import Organizations
from .payments import Payments
from .recurrences import Recurrences
from .reference import Countries, Currencies
from .reports import Reports
from .taxes import Taxes

__all__ = [
    "Accounts",
    "Clients",
    "Countries",
    "Currencies",
    "Defaults",
    "Documents",
    "Items",
    "Organizations",
    "Payments",
    "Recurrences",
    "Reports",
    "Taxes",
]
