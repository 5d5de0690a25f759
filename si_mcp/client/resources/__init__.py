"""One module per API resource; each class is hung off :class:`~si_mcp.client.SpaceInvoices`."""

from .accounts import Accounts
from .categories import Categories
from .clients import Clients
from .comments import Comments
from .defaults import Defaults
from .documents import Documents
from .items import Items
from .organizations import Organizations
from .payments import Payments
from .recurrences import Recurrences
from .reference import Countries, Currencies
from .reports import Reports
from .taxes import Taxes
from .units import Units
from .webhooks import Webhooks

__all__ = [
    "Accounts",
    "Categories",
    "Clients",
    "Comments",
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
    "Units",
    "Webhooks",
]
