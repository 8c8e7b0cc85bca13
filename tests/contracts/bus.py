"""The bus's storage on every backend: what each handler is owed, acknowledgements, leases, dead letters."""

import asyncio
from datetime import timedelta

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, make_dead_letter
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import Event, FakeClock, SequentialIds, parse_event
from yabot_core.users import UserDirectory, UserProfile, UserRegistered
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded, WalletService


def route_by_type(storage: StorageBackend, routes: dict[str, tuple[str, ...]]) -> None:
    """Owe each event to the handlers ``routes`` lists for its route."""

    def router(event: Event) -> tuple[str, ...]:
        return routes.get(event.route, ())

    storage.route_events(router)


class OutboxContract(ContractBase):
    """Events commit with their unit of work, owed to each handler of their route."""

    async def test_each_handler_is_owed_its_events_in_commit_order(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Each handler sees the events of its routes, each user's in commit order; no route, nothing kept."""
        route_by_type(
            storage,
            {
                BesitosAwarded.event_type: ("notices", "audit"),
                UserRegistered.event_type: ("welcome", "audit"),
            },
        )
        directory = UserDirectory(storage.transactions, storage.user_queries, clock, SequentialIds("u"))
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        for n in range(3):
            await directory.register(UserProfile(user_id=BOB, first_name=f"n{n}"))  # once, then updates
        for n in range(4):
            await wallet.credit(ALICE, n + 1, ADMIN_GRANT, idempotency_key=f"c{n}")

        notices = await storage.outbox.pending("notices", 100)
        assert [parse_event(r.payload).amount for r in notices] == [1, 2, 3, 4]  # type: ignore[attr-defined]
        assert [r.position for r in notices] == sorted(r.position for r in notices)
        assert all(r.created_at == clock.now() for r in notices)
        welcome = await storage.outbox.pending("welcome", 100)
        assert [r.event_type for r in welcome] == [UserRegistered.event_type]
        audit = await storage.outbox.pending("audit", 100)
        assert len(audit) == 5
        assert await storage.outbox.pending("nobody", 100) == []
        assert await storage.outbox.backlog() == {"notices": 4, "welcome": 1, "audit": 5}

    async def test_acknowledged_records_are_gone_for_that_handler_only(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Acknowledging is per handler and idempotent; an event owed to nobody any more is forgotten."""
        route_by_type(storage, {BesitosAwarded.event_type: ("a", "b")})
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        for n in range(5):
            await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key=f"k{n}")
        first_two = await storage.outbox.pending("a", 2)
        assert len(first_two) == 2
        everything = await storage.outbox.pending("a", 100)
        assert [r.event_id for r in everything[:2]] == [r.event_id for r in first_two]
        ids = [r.event_id for r in first_two]
        await storage.outbox.acknowledge("a", ids)
        await storage.outbox.acknowledge("a", ids)  # idempotent
        assert [r.event_id for r in await storage.outbox.pending("a", 100)] == [
            r.event_id for r in everything[2:]
        ]
        assert len(await storage.outbox.pending("b", 100)) == 5
        await storage.outbox.acknowledge("b", [r.event_id for r in everything])
        await storage.outbox.acknowledge("a", [r.event_id for r in everything])
        assert await storage.outbox.backlog() == {}
        await storage.outbox.acknowledge("b", ids)  # long gone: still fine

    async def test_expire_drops_only_old_records_of_one_handler(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Expiring drops what one handler is owed from before a time, and nothing else."""
        route_by_type(storage, {BesitosAwarded.event_type: ("stale", "other")})
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key="old")
        clock.advance(timedelta(hours=2))
        await wallet.credit(ALICE, 2, ADMIN_GRANT, idempotency_key="new")
        assert await storage.outbox.expire("stale", clock.now() - timedelta(hours=1)) == 1
        (left,) = await storage.outbox.pending("stale", 10)
        assert parse_event(left.payload).amount == 2  # type: ignore[attr-defined]
        assert len(await storage.outbox.pending("other", 10)) == 2

    async def test_leases_are_exclusive_until_they_expire(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """One owner holds a lease until it expires or is released; the holder may renew it."""
        now = clock.now()
        later = now + timedelta(seconds=10)
        outbox = storage.outbox
        assert await outbox.acquire_lease("relay", "a", now, later)
        assert not await outbox.acquire_lease("relay", "b", now, later)
        assert await outbox.acquire_lease(
            "relay", "a", now + timedelta(seconds=5), later + timedelta(seconds=5)
        )
        assert not await outbox.acquire_lease("relay", "b", later, later + timedelta(seconds=10))
        assert await outbox.acquire_lease("other", "b", now, later)
        expired = later + timedelta(seconds=6)
        assert await outbox.acquire_lease("relay", "b", expired, expired + timedelta(seconds=10))
        await outbox.release_lease("relay", "a")  # not the holder: no effect
        assert not await outbox.acquire_lease("relay", "a", expired, expired + timedelta(seconds=10))
        await outbox.release_lease("relay", "b")
        assert await outbox.acquire_lease("relay", "a", expired, expired + timedelta(seconds=10))

    async def test_only_one_of_many_contenders_takes_a_lease(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Contenders racing for a free lease: exactly one wins."""
        now = clock.now()
        won = await asyncio.gather(
            *(
                storage.outbox.acquire_lease("race", f"o{n}", now, now + timedelta(seconds=5))
                for n in range(20)
            )
        )
        assert sum(won) == 1


class DeadLetterContract(ContractBase):
    """Dead letters are kept for operators and replay."""

    async def test_dead_letters_are_listed_newest_first(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Dead letters list newest failure first; replayed ones only on request; get finds by id."""
        old = make_dead_letter(clock, "old", minutes=0)
        new = make_dead_letter(clock, "new", minutes=5)
        replayed = make_dead_letter(clock, "done", minutes=9).model_copy(update={"replayed_at": clock.now()})

        async def work(uow: StorageUnitOfWork) -> None:
            for letter in (old, new, replayed):
                await uow.dead_letters.save(letter)

        await storage.transactions.run(work)
        queries = storage.dead_letter_queries
        assert [d.dead_letter_id for d in await queries.list()] == ["new", "old"]
        assert [d.dead_letter_id for d in await queries.list(include_replayed=True)] == ["done", "new", "old"]
        assert [d.dead_letter_id for d in await queries.list(limit=1)] == ["new"]
        assert await queries.get("new") == new
        assert await queries.get("nope") is None

        async def replace(uow: StorageUnitOfWork) -> None:
            assert await uow.dead_letters.get("old") == old
            await uow.dead_letters.save(old.model_copy(update={"replayed_at": clock.now()}))

        await storage.transactions.run(replace)
        assert [d.dead_letter_id for d in await queries.list()] == ["new"]
