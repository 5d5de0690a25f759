"""Access tokens are stored as their SHA-256: access_tokens.id hashed in place

A copy of the books (a backup, a stolen file, an SQL log at DEBUG) held every live access token, each enough to act
as its account. The books now keep only the token's SHA-256 and look tokens up by it; tokens issued before keep
working, since their stored copies are hashed here.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_TOKENS = sa.table("access_tokens", sa.column("id", sa.String(64)))
# A stored hash: tokens themselves are 64 characters of [A-Za-z0-9], so one that is all lowercase hex (a chance of
# (16/62)^64) was hashed by this revision before: a database downgraded and upgraded again is not hashed twice.
_HASHED = re.compile(r"[0-9a-f]{64}")


def upgrade() -> None:
    bind = op.get_bind()
    for (token,) in bind.execute(sa.select(_TOKENS.c.id)).all():
        if _HASHED.fullmatch(token):
            continue
        key = hashlib.sha256(token.encode()).hexdigest()
        bind.execute(sa.update(_TOKENS).where(_TOKENS.c.id == token).values(id=key))


def downgrade() -> None:
    # A hash cannot be turned back into its token, and the older release looks tokens up as they are stored: left
    # in place, a copy of the books would hand out working tokens. Every session ends; users log in again.
    op.execute(_TOKENS.delete())
