"""Backups of the MongoDB backend: every declared collection as canonical Extended JSON, one snapshot."""

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from bson import json_util
from bson.json_util import CANONICAL_JSON_OPTIONS
from pymongo import ReadPreference
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.read_concern import ReadConcern

from yabot_adapters.mongo.backend import MongoStorage
from yabot_core.operations import DumpContents, StorageSnapshots

BATCH: Final = 1000
"""Documents inserted per request on restore."""


class MongoSnapshots(StorageSnapshots):
    """Dumps each collection the slices declare into ``<name>.jsonl``, streamed, in one read transaction.

    Canonical Extended JSON keeps every BSON type (dates, 64-bit integers) exactly, one document per line.
    Restore replaces each collection's documents; the indexes are the backend's own (``open`` made them).
    """

    def __init__(self, storage: MongoStorage) -> None:
        self._storage = storage

    @property
    def kind(self) -> str:
        return "mongo"

    async def dump(self, directory: Path) -> DumpContents:
        database = self._storage.database
        names = self._storage.collections

        async def read(session: AsyncClientSession) -> dict[str, int]:
            counts: dict[str, int] = {}
            for name in names:
                rows = 0
                with (directory / f"{name}.jsonl").open("w", encoding="utf-8") as out:
                    async for document in database[name].find({}, session=session).sort("_id", 1):
                        out.write(json_util.dumps(document, json_options=CANONICAL_JSON_OPTIONS) + "\n")
                        rows += 1
                counts[name] = rows
            return counts

        async with self._storage.gate.operation(), database.client.start_session() as session:
            counts = await session.with_transaction(
                read, read_concern=ReadConcern("snapshot"), read_preference=ReadPreference.PRIMARY
            )
        files = tuple(f"{name}.jsonl" for name in names)
        return DumpContents(storage=self.kind, files=files, counts=counts)

    def refusal(self, contents: DumpContents) -> str | None:  # noqa: ARG002  (the port's shape)
        return None  # collections carry no schema version: the backend's ``open`` makes what is missing

    async def existing(self) -> Mapping[str, int]:
        database = self._storage.database
        found: dict[str, int] = {}
        async with self._storage.gate.operation():
            for name in self._storage.collections:
                rows = await database[name].count_documents({})
                if rows:
                    found[name] = rows
        return found

    async def load(self, directory: Path, contents: DumpContents) -> None:
        """Empty every declared collection, then insert the dump in batches (each batch one operation).

        Not one transaction (a restore may be far larger than one allows): run it with YABOT stopped.
        """
        database = self._storage.database
        gate = self._storage.gate
        for name in self._storage.collections:
            async with gate.operation():
                await database[name].delete_many({})
        for file in contents.files:
            collection = database[Path(file).stem]
            lines = await asyncio.to_thread((directory / file).read_text, encoding="utf-8")
            documents = [
                json_util.loads(line, json_options=CANONICAL_JSON_OPTIONS) for line in lines.splitlines()
            ]
            for start in range(0, len(documents), BATCH):
                async with gate.operation():
                    await collection.insert_many(documents[start : start + BATCH])
