"""Read-only snapshot transactions: several reads of committed data that agree with one another."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo import ReadPreference
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate

T = TypeVar("T")


async def read_snapshot(
    gate: Gate, database: AsyncDatabase[Document], read: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run ``read`` through ``gate`` in a read-only transaction: snapshot read concern, on the primary.

    Every read ``read`` makes with the session it is given sees the same committed state, so a page agrees
    with its count and a balance with its holds.
    """
    async with gate.operation(), database.client.start_session() as session:
        return await session.with_transaction(
            read, read_concern=ReadConcern("snapshot"), read_preference=ReadPreference.PRIMARY
        )
