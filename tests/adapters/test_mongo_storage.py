"""The MongoDB backend passes the storage contract on every available server, and keeps its own promises."""

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from yabot_core.gamification import LedgerReason, WalletService

from tests.contracts.factory import StorageFactory
from tests.contracts.storage import ALICE, StorageContract, make_user
from tests.servers.mongo import MongoServer, fresh_database_name, make_storage
from yabot_adapters.mongo import MongoStorage, MongoUnitOfWork
from yabot_core.kernel import FakeClock, SequentialIds, UnavailableError


class TestMongoStorage(StorageContract):
    stateful_examples = 12

    @pytest.fixture(name="storage_factory")
    def storage_factory_fixture(self, mongo_storage_factory: StorageFactory) -> StorageFactory:
        return mongo_storage_factory

    async def test_open_is_idempotent_and_creates_the_unique_indexes(self, storage: MongoStorage) -> None:
        """Opening again changes nothing; the ledger has its unique key and (user, sequence) indexes."""
        database = storage.database

        async def indexes() -> dict[str, list[tuple[tuple[str, ...], bool]]]:
            found = {}
            for name in sorted(await database.list_collection_names()):
                specs = await (await database[name].list_indexes()).to_list()
                found[name] = sorted((tuple(spec["key"]), bool(spec.get("unique"))) for spec in specs)
            return found

        before = await indexes()
        await storage.open()
        assert await indexes() == before
        wallet_side = {"wallets", "ledger", "holds", "users"}
        assert wallet_side | {"dead_letters", "outbox", "outbox_streams", "leases"} <= set(before)
        unique = {keys for keys, is_unique in before["ledger"] if is_unique}
        assert {("idempotency_key",), ("user_id", "sequence")} <= unique

    async def test_data_survives_closing_and_reopening(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """Balances, ledgers and pending events are in the database, not in the process that wrote them."""
        name = fresh_database_name()
        first = make_storage(mongo_server, name, clock)
        await first.open()
        wallet = WalletService(first.transactions, first.wallet_queries, clock, SequentialIds("a"))
        await wallet.credit(ALICE, 30, LedgerReason.ADMIN_GRANT, idempotency_key="k1")
        await wallet.debit(ALICE, 12, LedgerReason.PURCHASE, idempotency_key="k2")
        balance = await first.wallet_queries.balance(ALICE)
        history = await first.wallet_queries.history(ALICE, limit=10, offset=0)
        pending = await first.outbox.pending(10)
        await first.close()

        second = make_storage(mongo_server, name, clock)
        try:
            await second.open()
            assert await second.wallet_queries.balance(ALICE) == balance
            assert await second.wallet_queries.history(ALICE, limit=10, offset=0) == history
            assert await second.outbox.pending(10) == pending
            assert balance.balance == 18
            assert len(pending) == 2
        finally:
            await second.client.drop_database(name)
            await second.close()

    async def test_two_storages_on_one_database_race_for_a_lease(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """Two backends on one database, as two processes would be, race for a lease: exactly one wins."""
        name = fresh_database_name()
        storages = [make_storage(mongo_server, name, clock) for _ in range(2)]
        try:
            for storage in storages:
                await storage.open()
            now = clock.now()
            won = await asyncio.gather(
                *(
                    storages[n % 2].outbox.acquire_lease(
                        "relay", f"owner-{n}", now, now + timedelta(seconds=5)
                    )
                    for n in range(20)
                )
            )
            assert sum(won) == 1
            winner = f"owner-{won.index(True)}"
            other = storages[(won.index(True) + 1) % 2].outbox
            assert await other.acquire_lease("relay", winner, now, now + timedelta(seconds=9))
            assert not await other.acquire_lease("relay", "late", now + timedelta(seconds=8), now)
        finally:
            await storages[0].client.drop_database(name)
            for storage in storages:
                await storage.close()

    async def test_a_standalone_server_is_refused_unless_exclusive(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """A server whose ``hello`` shows a standalone cannot run transactions, so ``open`` refuses it."""
        storage = MongoStorage.from_url(mongo_server.url, fresh_database_name(), clock, exclusive=False)
        try:
            hello = await storage.client.admin.command("hello")
            if "setName" in hello or hello.get("msg") == "isdbgrid":
                pytest.skip("this server is a replica set or mongos; only a standalone is refused")
            with pytest.raises(UnavailableError, match="conjunto de réplicas"):
                await storage.open()
        finally:
            await storage.close()

    async def test_close_waits_for_the_transaction_in_flight(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """``close`` waits for the work in flight to commit, then refuses work; a lent client stays open."""
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_server.url, tz_aware=True)
        name = fresh_database_name()
        storage = MongoStorage(client, name, clock, exclusive=mongo_server.exclusive)
        started, proceed = asyncio.Event(), asyncio.Event()

        async def slow(uow: MongoUnitOfWork) -> None:
            started.set()
            await proceed.wait()
            await uow.users.save(make_user(clock))

        try:
            await storage.open()
            running = asyncio.create_task(storage.transactions.run(slow))
            await started.wait()
            closing = asyncio.create_task(storage.close())
            await asyncio.sleep(0.1)
            assert not closing.done()
            proceed.set()
            await asyncio.wait_for(asyncio.gather(running, closing), timeout=10)
            with pytest.raises(UnavailableError):
                await storage.user_queries.get(ALICE)
            assert await client[name]["users"].count_documents({}) == 1  # committed; the client still works
        finally:
            await client.drop_database(name)
            await client.close()


@contextmanager
def port_nobody_listens_on() -> Iterator[int]:
    """Hold a loopback port bound but not listening, so connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


async def test_an_unreachable_server_is_unavailable(clock: FakeClock) -> None:
    """Driver errors never leave the adapter: a server nobody answers at is ``UnavailableError``."""
    with port_nobody_listens_on() as port:
        url = f"mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=200"
        storage = MongoStorage.from_url(url, fresh_database_name(), clock, timeout=0.5)
        try:
            with pytest.raises(UnavailableError):
                await storage.ping()
            with pytest.raises(UnavailableError):
                await storage.open()
            with pytest.raises(UnavailableError):
                await storage.wallet_queries.balance(ALICE)

            async def work(uow: MongoUnitOfWork) -> None:
                await uow.wallets.get(ALICE)

            with pytest.raises(UnavailableError):
                await storage.transactions.run(work)
        finally:
            await storage.close()
        with pytest.raises(UnavailableError):
            await storage.ping()
