"""The proxy the cluster journey puts in front of nx-27017: concurrent clients' transactions stay whole."""

import asyncio
from urllib.parse import urlparse

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from tests.servers.mongo import fresh_database_name
from tests.servers.serial_mongo import SerialMongoProxy

CLIENTS = 3
TRANSACTIONS = 20


async def test_three_clients_transactions_commit_whole_and_none_fails(nx_27017_url: str) -> None:
    """Straight on nx these interleave and fail ("no such savepoint") yet half-commit; through it, never."""
    upstream = urlparse(nx_27017_url)
    assert upstream.hostname is not None
    assert upstream.port is not None
    name = fresh_database_name()
    async with SerialMongoProxy((upstream.hostname, upstream.port)) as proxy:

        async def client_work(n: int) -> None:
            client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(proxy.url)
            try:
                db = client[name]
                for i in range(TRANSACTIONS):
                    async with client.start_session() as session:

                        async def work(session: AsyncClientSession, i: int = i) -> None:
                            await db.entries.insert_one({"client": n, "i": i}, session=session)
                            await asyncio.sleep(0)  # let the others try to interleave
                            await db.totals.update_one(
                                {"_id": n},
                                {"$inc": {"count": 1}},
                                upsert=True,
                                session=session,
                            )

                        await session.with_transaction(work)
            finally:
                await client.close()

        await asyncio.gather(*(client_work(n) for n in range(CLIENTS)))
        reader: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(proxy.url)
        try:
            db = reader[name]
            assert await db.entries.count_documents({}) == CLIENTS * TRANSACTIONS
            totals = sorted([doc["count"] async for doc in db.totals.find({})])
            assert totals == [TRANSACTIONS] * CLIENTS
            await reader.drop_database(name)
        finally:
            await reader.close()
