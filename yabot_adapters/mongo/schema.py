"""The Mongo backend's collections and indexes, and the check that the server can run its transactions.

Documents are written whole (insert or replacement) whenever they hold dates, and update operators only touch
numbers, strings and arrays: real MongoDB does not care, but the nx-27017 test server stores a date set by
``$set`` or ``$max`` as a string, after which it no longer compares or sorts as a date.
"""

from contextlib import suppress
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

from yabot_adapters.mongo.documents import Document
from yabot_core.kernel import UnavailableError

WALLETS: Final = "wallets"
"""``{_id: user id, balance, sequence}``: a user's balance and the sequence of their last ledger entry."""
LEDGER: Final = "ledger"
"""One document per ledger entry, ``_id`` = entry id."""
HOLDS: Final = "holds"
"""Escrow holds, ``_id`` = hold id."""
USERS: Final = "users"
"""Registered users, ``_id`` = user id; one written before ``blocked_at`` existed reads as reachable."""
DEAD_LETTERS: Final = "dead_letters"
"""Events a handler gave up on, ``_id`` = dead letter id."""
OUTBOX: Final = "outbox"
"""Committed, undelivered events, ``_id`` = event id; delivered records are deleted."""
OUTBOX_STREAMS: Final = "outbox_streams"
"""``{_id: user id or "_", last, at_ms}``: per user, the last outbox position and the latest record time."""
LEASES: Final = "leases"
"""``{_id: name, owner, until}``: who holds a named lease, until when."""

COLLECTIONS: Final = (WALLETS, LEDGER, HOLDS, USERS, DEAD_LETTERS, OUTBOX, OUTBOX_STREAMS, LEASES)

INDEXES: Final[dict[str, list[IndexModel]]] = {
    LEDGER: [
        # An idempotency key is applied once, across all users: the second insert fails.
        IndexModel([("idempotency_key", ASCENDING)], unique=True, name="ledger_idempotency_key"),
        # One entry per (user, sequence); also serves the history, newest first.
        IndexModel(
            [("user_id", ASCENDING), ("sequence", ASCENDING)], unique=True, name="ledger_user_sequence"
        ),
    ],
    HOLDS: [IndexModel([("user_id", ASCENDING), ("status", ASCENDING)], name="holds_user_status")],
    DEAD_LETTERS: [
        IndexModel([("replayed_at", ASCENDING), ("failed_at", DESCENDING)], name="dead_letters_open"),
        IndexModel([("failed_at", DESCENDING)], name="dead_letters_failed_at"),
    ],
    # Exactly the sort of ``OutboxStore.pending``.
    OUTBOX: [
        IndexModel(
            [("created_at", ASCENDING), ("user_id", ASCENDING), ("position", ASCENDING)],
            name="outbox_pending",
        )
    ],
}

REPLICA_SET_REQUIRED: Final = (
    "MongoDB debe ejecutarse como conjunto de réplicas (replica set) o detrás de mongos: un servidor "
    "independiente no admite transacciones. Inicia mongod con --replSet y ejecuta rs.initiate()."
)


async def migrate(database: AsyncDatabase[Document]) -> None:
    """Create every collection and index that is missing; safe to run again, and from several processes.

    Collections are created here, as a migration would, never implicitly by a first write: real MongoDB
    restricts creating them inside transactions, and wire-protocol servers need them to exist.
    """
    existing = set(await database.list_collection_names())
    for name in COLLECTIONS:
        if name not in existing:
            with suppress(CollectionInvalid):  # another process created it since we listed them
                await database.create_collection(name)
    for name, indexes in INDEXES.items():
        await database[name].create_indexes(indexes)


async def check_server(database: AsyncDatabase[Document], *, exclusive: bool) -> None:
    """Refuse a standalone server unless ``exclusive``: only replica sets and mongos run transactions.

    Raises:
        UnavailableError: the server is a standalone and ``exclusive`` is False.
    """
    hello = await database.command("hello")
    if "setName" in hello or hello.get("msg") == "isdbgrid" or exclusive:
        return
    raise UnavailableError(REPLICA_SET_REQUIRED, detail={"database": database.name})
