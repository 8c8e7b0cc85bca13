"""The Mongo backend's schema, composed from every slice's collections and indexes; the replica-set check.

Documents are written whole (insert or replacement) whenever they hold dates, and update operators only touch
numbers, strings and arrays: real MongoDB does not care, but the nx-27017 test server stores a date set by
``$set`` or ``$max`` as a string, after which it no longer compares or sorts as a date. A write that may be
the first command of a transaction goes through :func:`insert_new` rather than ``insert_one``: nx-27017
stores the transaction's read concern, which only that first command carries, as one more document.
"""

from collections.abc import Sequence
from contextlib import suppress
from typing import Final

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.errors import REPLICA_SET_REQUIRED
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import UnavailableError

SCHEMA_VERSIONS: Final = "schema_versions"
"""``{_id: module, version}``: the schema step each module is at (``yabot migrate``)."""

SCHEMA_VERSION: Final = 1
"""A module's version once its declared collections and indexes exist (yabot_adapters.mongo.migrations)."""


def collections(slices: Sequence[MongoSlice]) -> tuple[str, ...]:
    """Every slice's collections, in registry order.

    Raises:
        ValueError: two slices claim one collection (each module owns its own).
    """
    owners: dict[str, str] = {}
    for piece in slices:
        for name in piece.collections:
            if name in owners:
                msg = f"collection {name!r} belongs to both {owners[name]!r} and {piece.name!r}"
                raise ValueError(msg)
            owners[name] = piece.name
    return tuple(owners)


async def migrate(database: AsyncDatabase[Document], slices: Sequence[MongoSlice]) -> None:
    """Create every slice's missing collections and indexes; safe to run again, and from several processes.

    Collections are created here, as a migration would, never implicitly by a first write: real MongoDB
    restricts creating them inside transactions, and wire-protocol servers need them to exist.
    """
    existing = set(await database.list_collection_names())
    for name in (*collections(slices), SCHEMA_VERSIONS):
        if name not in existing:
            with suppress(CollectionInvalid):  # another process created it since we listed them
                await database.create_collection(name)
    for piece in slices:
        for name, indexes in piece.indexes.items():
            await database[name].create_indexes(list(indexes))
    for piece in slices:  # what `yabot migrate status` reads (yabot_adapters.mongo.migrations)
        await database[SCHEMA_VERSIONS].replace_one(
            {"_id": piece.name}, {"_id": piece.name, "version": SCHEMA_VERSION}, upsert=True
        )


async def check_server(database: AsyncDatabase[Document], *, exclusive: bool) -> None:
    """Refuse a standalone server unless ``exclusive``: only replica sets and mongos run transactions.

    Raises:
        UnavailableError: the server is a standalone and ``exclusive`` is False.
    """
    hello = await database.command("hello")
    if "setName" in hello or hello.get("msg") == "isdbgrid" or exclusive:
        return
    raise UnavailableError(REPLICA_SET_REQUIRED, detail={"database": database.name})


async def insert_new(
    collection: AsyncCollection[Document], document: Document, session: AsyncClientSession
) -> None:
    """Insert ``document`` in the session's transaction; a stored ``_id`` raises ``DuplicateKeyError``.

    An upserting replacement whose filter matches no stored document: MongoDB inserts it (or collides on
    ``_id``), exactly as ``insert_one`` would, and nx-27017 keeps only the document (see the module's notes).
    """
    await collection.replace_one(
        {"_id": document["_id"], "_id_is_new": {"$exists": True}}, document, upsert=True, session=session
    )
