"""What ``yabot migrate`` does on MongoDB: each module's schema version, kept in ``schema_versions``.

A module's Mongo schema is declarative (its collections and indexes, :class:`MongoSlice`), so it has one
step: version 1 = every declared collection exists and every declared index is built. ``up`` creates what is
missing (the same idempotent code ``open`` runs, safe from several processes at once) and records the
version; ``down`` takes a module back from 1 to 0 by dropping its indexes, never its collections or data.
``open`` records versions too, so ``status`` after a start shows every module current.
"""

from collections.abc import Sequence
from typing import Final

from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.migrations import ModuleVersion
from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.schema import SCHEMA_VERSION, SCHEMA_VERSIONS, migrate
from yabot_adapters.mongo.slice import MongoSlice

VERSIONS: Final = SCHEMA_VERSIONS

LATEST: Final = SCHEMA_VERSION
"""The one step of a declarative schema (see the module docstring)."""


async def status(database: AsyncDatabase[Document], slices: Sequence[MongoSlice]) -> list[ModuleVersion]:
    """Every module's recorded version (0 when never recorded)."""
    found = {document["_id"]: document["version"] async for document in database[VERSIONS].find({})}
    return [ModuleVersion(piece.name, int(found.get(piece.name, 0)), LATEST) for piece in slices]


async def up(database: AsyncDatabase[Document], slices: Sequence[MongoSlice]) -> list[ModuleVersion]:
    """Build what is missing and record it; return the versions found before."""
    before = await status(database, slices)
    await migrate(database, slices)  # which records every module at LATEST
    return before


async def down(database: AsyncDatabase[Document], module: str, slices: Sequence[MongoSlice]) -> ModuleVersion:
    """Take ``module`` from 1 to 0: drop the indexes it declares (its data stays); return where it is now.

    Raises:
        KeyError: no module of that name keeps data in MongoDB.
        ValueError: the module is at 0 already.
    """
    piece = next((piece for piece in slices if piece.name == module), None)
    if piece is None:
        raise KeyError(module)
    (before,) = [found for found in await status(database, slices) if found.module == module]
    if before.applied == 0:
        msg = f"module {module} has no migration applied"
        raise ValueError(msg)
    for collection, indexes in piece.indexes.items():
        declared = [list(index.document["key"].items()) for index in indexes]
        # Matched by keys, not names: a server may name an index its own way (nx-27017 does).
        async for existing in await database[collection].list_indexes():
            if list(existing["key"].items()) in declared:
                await database[collection].drop_index(existing["name"])
    await database[VERSIONS].replace_one({"_id": module}, {"_id": module, "version": 0}, upsert=True)
    return ModuleVersion(module, 0, LATEST)
