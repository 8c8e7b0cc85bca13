"""The MongoDB backend passes the storage contract on every available server, and keeps its own promises."""

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tests.contracts.common import (
    ALICE,
    OPERATOR,
    PURCHASE,
    RECORDER,
    api_keys_over,
    make_user,
    record_everything,
    recorded,
)
from tests.contracts.factory import StorageFactory
from tests.contracts.storage import StorageContract
from tests.contracts.timers import a_timer, schedule
from tests.servers.mongo import MongoServer, fresh_database_name, make_storage
from yabot_adapters.mongo import MongoStorage
from yabot_adapters.mongo.slices import SLICES
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.apikeys import USERS_READ, RevokedKeyError
from yabot_core.kernel import FakeClock, SequentialIds, UnavailableError
from yabot_core.lucien import LucienMessage
from yabot_core.wallet import ADMIN_GRANT, WalletService


class TestMongoStorage(StorageContract):
    # nx-27017 runs each operation as SQLite statements behind a wire protocol, one at a time: sized so the
    # whole module stays well under a minute there, while every rule still meets many cases.
    concurrency = 500
    stateful_examples = 8
    auction_examples = 6
    timer_examples = 15

    @pytest.fixture(name="storage_factory")
    def storage_factory_fixture(self, mongo_storage_factory: StorageFactory) -> StorageFactory:
        return mongo_storage_factory

    async def test_open_is_idempotent_and_creates_every_slices_schema(self, storage: MongoStorage) -> None:
        """Opening again changes nothing; every slice's collections and indexes exist, unique ones unique."""
        database = storage.database

        async def indexes() -> dict[str, set[tuple[tuple[str, ...], bool]]]:
            found = {}
            for name in sorted(await database.list_collection_names()):
                specs = await (await database[name].list_indexes()).to_list()
                found[name] = {(tuple(spec["key"]), bool(spec.get("unique"))) for spec in specs}
            return found

        before = await indexes()
        await storage.open()
        assert await indexes() == before
        for piece in SLICES:
            assert set(piece.collections) <= set(before), piece.name
            for collection, models in piece.indexes.items():
                wanted = {(tuple(m.document["key"]), bool(m.document.get("unique"))) for m in models}
                assert wanted <= before[collection], collection
        assert {(("idempotency_key",), True), (("user_id", "sequence"), True)} <= before["ledger"]

    async def test_acknowledged_deliveries_leave_nothing_behind(
        self, storage: MongoStorage, clock: FakeClock
    ) -> None:
        """Each handler's deliveries are its own: acknowledging deletes them, and nothing is left to clean."""
        storage.route_events(lambda _event: ("a", "b"))
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        for n in range(3):
            await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key=f"k{n}")
        deliveries = storage.database["deliveries"]
        assert await deliveries.count_documents({}) == 6
        ids = [record.event_id for record in await storage.outbox.pending("a", 10)]
        await storage.outbox.acknowledge("a", ids)
        assert await deliveries.count_documents({"handler": "a"}) == 0
        assert await deliveries.count_documents({"handler": "b"}) == 3
        await storage.outbox.acknowledge("b", ids)
        assert await deliveries.count_documents({}) == 0

    async def test_timers_and_lucien_messages_keep_their_key_beside_the_id(
        self, storage: MongoStorage, clock: FakeClock
    ) -> None:
        """Timers and Lucien's messages store their key as ``_id`` and again as ``key``, for their indexes."""
        timer = a_timer(clock, "t-1", seconds=5)
        message = LucienMessage(
            key="m-1", user_id=ALICE, text="texto", args={}, due_at=clock.now(), created_at=clock.now()
        )

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.timers.schedule(timer)
            await uow.lucien.save(message)

        await storage.transactions.run(work)
        stored_timer = await storage.database["timers"].find_one({"_id": "t-1"}, {"key": True})
        stored_message = await storage.database["lucien_messages"].find_one({"_id": "m-1"}, {"key": True})
        assert stored_timer == {"_id": "t-1", "key": "t-1"}
        assert stored_message == {"_id": "m-1", "key": "m-1"}
        assert await storage.timer_store.pending(limit=10) == [timer]
        assert await storage.lucien_queries.get("m-1") == message

    async def test_data_survives_closing_and_reopening(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """Balances, ledgers, timers and owed events are kept in the database, not in the writing process."""
        async with two_storages(mongo_server, clock) as (first, second):
            record_everything(first)
            wallet = WalletService(first.transactions, first.wallet_queries, clock, SequentialIds("a"))
            await wallet.credit(ALICE, 30, ADMIN_GRANT, idempotency_key="k1")
            await wallet.debit(ALICE, 12, PURCHASE, idempotency_key="k2")
            await schedule(first, a_timer(clock, "later", seconds=60))
            statement = await first.wallet_queries.statement(ALICE, limit=10, offset=0)
            pending = await recorded(first)
            timers = await first.timer_store.pending(limit=10)
            await first.close()

            assert await second.wallet_queries.statement(ALICE, limit=10, offset=0) == statement
            assert await recorded(second) == pending
            assert await second.timer_store.pending(limit=10) == timers
            assert (statement.balance.balance, len(pending), len(timers)) == (18, 2, 1)

    async def test_two_storages_on_one_database_race_for_a_lease(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """Two backends on one database, as two processes would be, race for a lease: exactly one wins."""
        async with two_storages(mongo_server, clock) as storages:
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

    async def test_two_storages_on_one_database_never_share_a_timer(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """Claimers in two processes interleave their reads and claims: each due timer goes to exactly one."""
        async with two_storages(mongo_server, clock) as storages:
            for n in range(30):
                await schedule(storages[0], a_timer(clock, f"t{n}"))
            now = clock.now()
            batches = await asyncio.gather(
                *(
                    storages[n % 2].timer_store.claim_due(now, f"c{n}", now + timedelta(seconds=30), 4)
                    for n in range(10)
                )
            )
            keys = [timer.key for batch in batches for timer in batch]
            assert sorted(keys) == sorted(f"t{n}" for n in range(30))
            claims = {timer.key: timer.claim for batch in batches for timer in batch}
            stored = {timer.key: timer.claim for timer in await storages[1].timer_store.pending(limit=100)}
            assert stored == claims

    async def test_a_users_events_keep_their_order_when_clocks_disagree(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """A user's next event, committed by a lagging clock, is stamped no earlier and sorts after."""
        ahead = FakeClock(clock.now() + timedelta(minutes=5))
        async with two_storages(mongo_server, ahead, clock) as (first, second):
            record_everything(first)
            record_everything(second)
            for storage, key in ((first, "ahead"), (second, "behind")):
                wallet = WalletService(
                    storage.transactions, storage.wallet_queries, clock, SequentialIds(key)
                )
                await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key=key)
            earlier, later = await second.outbox.pending(RECORDER, 10)
            assert (earlier.position, later.position) == (1, 2)
            assert earlier.created_at == later.created_at == ahead.now()

    async def test_a_revocation_through_one_storage_is_seen_by_another_at_once(
        self, mongo_server: MongoServer, clock: FakeClock
    ) -> None:
        """Two backends on one database, as two processes: a key revoked through one, the other refuses."""
        async with two_storages(mongo_server, clock) as (first, second):
            issuer = api_keys_over(first, clock, SequentialIds("a"))
            checker = api_keys_over(second, clock, SequentialIds("b"))
            issued = await issuer.create("servicio", [USERS_READ], actor=OPERATOR)
            assert await checker.authenticate(issued.token) == issued.key

            clock.advance(timedelta(seconds=1))
            revoked, _ = await issuer.revoke(issued.key.key_id, actor=OPERATOR)
            assert await second.api_key_queries.get(issued.key.key_id) == revoked
            with pytest.raises(RevokedKeyError):
                await checker.authenticate(issued.token)

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

        async def slow(uow: StorageUnitOfWork) -> None:
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
            await asyncio.wait_for(asyncio.gather(running, closing), timeout=60)
            with pytest.raises(UnavailableError):
                await storage.user_queries.get(ALICE)
            assert await client[name]["users"].count_documents({}) == 1  # committed; the client still works
        finally:
            await client.drop_database(name)
            await client.close()


@asynccontextmanager
async def two_storages(
    server: MongoServer, clock: FakeClock, other_clock: FakeClock | None = None
) -> AsyncIterator[tuple[MongoStorage, MongoStorage]]:
    """Two opened backends on one fresh database, as two processes would have; dropped and closed on exit."""
    name = fresh_database_name()
    storages = (make_storage(server, name, clock), make_storage(server, name, other_clock or clock))
    try:
        for storage in storages:
            await storage.open()
        yield storages
    finally:
        await storages[1].client.drop_database(name)
        for storage in storages:
            await storage.close()  # closing twice is harmless


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
            with pytest.raises(UnavailableError):
                await storage.outbox.pending(RECORDER, 10)

            async def work(uow: StorageUnitOfWork) -> None:
                await uow.wallets.get(ALICE)

            with pytest.raises(UnavailableError):
                await storage.transactions.run(work)
        finally:
            await storage.close()
        with pytest.raises(UnavailableError):
            await storage.ping()
