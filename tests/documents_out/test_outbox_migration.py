"""Upgrading si_mcp never loses a user's books: a database at revision 0001 with documents and a packed
outbox row upgrades to head with every document and every outbox field intact."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from si_mcp.local.db import migrate

OLD_ROWS = [
    # A queued email with a copy and a language, and one that failed twice.
    (
        "ob1",
        "queued",
        0,
        {"to": ["ap@client.example", "cfo@client.example"], "copy": ["me@isa.example"], "language": "nl"},
    ),
    ("ob2", "failed", 2, {"to": ["x@y.example"], "copy": [], "language": ""}),
]
QUEUED_AT = datetime(2026, 3, 14, 9, 30)


def _seed_revision_0001(engine: sa.Engine) -> dict[str, str]:
    with engine.begin() as conn:
        migrate(conn, "0001")
        stamp = {"created_at": QUEUED_AT, "updated_at": QUEUED_AT}
        conn.execute(
            sa.text(
                "INSERT INTO organizations (id, name, country_alpha2_code, active, created_at, updated_at, data)"
                " VALUES ('org1', 'ISA', 'BE', 1, :created_at, :updated_at, '{\"id\": \"org1\"}')"
            ),
            stamp,
        )
        columns = [c["name"] for c in sa.inspect(conn).get_columns("documents")]
        documents: dict[str, str] = {}
        for n in (1, 2):
            row: dict[str, object] = dict.fromkeys(columns)
            row.update(
                id=f"doc{n}", organization_id="org1", data=json.dumps({"id": f"doc{n}", "number": f"2026-0000{n}"})
            )
            for column in sa.inspect(conn).get_columns("documents"):
                if row[column["name"]] is None and not column["nullable"]:
                    row[column["name"]] = _filler(column["type"])
            conn.execute(
                sa.text(f"INSERT INTO documents ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})"), row
            )
            documents[f"doc{n}"] = str(row["data"])
        for row_id, status, attempts, packed in OLD_ROWS:
            conn.execute(
                sa.text(
                    "INSERT INTO outbox (id, organization_id, document_id, status, attempts, last_error, message_id,"
                    " recipients, subject, message, created_at, sent_at) VALUES (:id, 'org1', 'doc1', :status,"
                    " :attempts, NULL, :mid, :recipients, 'Invoice 2026-00001', 'Hello', :created_at, NULL)"
                ),
                {
                    "id": row_id,
                    "status": status,
                    "attempts": attempts,
                    "mid": f"<{row_id}@isa.example>",
                    "recipients": json.dumps(packed),
                    "created_at": QUEUED_AT,
                },
            )
    return documents


def _filler(kind: sa.types.TypeEngine[object]) -> object:
    if isinstance(kind, sa.DateTime):
        return QUEUED_AT
    if isinstance(kind, (sa.Integer, sa.Boolean, sa.Numeric)):
        return 0
    return "x"


def test_outbox_rows_and_documents_survive_the_upgrade_from_0001_to_head(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'books.db'}")
    documents = _seed_revision_0001(engine)

    with engine.begin() as conn:
        migrate(conn)

    with engine.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT id, data FROM documents ORDER BY id")).all())
        # Unchanged but for the language 0005 records (their organization is not in this database: English).
        assert {key: json.loads(data) for key, data in stored.items()} == {
            key: {**json.loads(data), "locale": "en"} for key, data in documents.items()
        }
        rows = conn.execute(
            sa.text(
                "SELECT id, status, attempts, message_id, recipients, copy_to, language, subject, message,"
                " next_attempt_at FROM outbox ORDER BY id"
            )
        ).all()
    engine.dispose()
    assert [tuple(r[:9]) for r in rows] == [
        (
            "ob1",
            "queued",
            0,
            "<ob1@isa.example>",
            "ap@client.example, cfo@client.example",
            "me@isa.example",
            "nl",
            "Invoice 2026-00001",
            "Hello",
        ),
        ("ob2", "failed", 2, "<ob2@isa.example>", "x@y.example", "", "", "Invoice 2026-00001", "Hello"),
    ]
    # The queued row is due at once; the twice-failed one keeps 0001's schedule (4 minutes after queueing).
    assert [str(r.next_attempt_at) for r in rows] == ["2026-03-14 09:30:00.000000", "2026-03-14 09:34:00.000000"]
