"""Units of work on every backend: all or nothing across every module's repository, no nesting, listeners."""

import asyncio

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import (
    ALICE,
    AUCTION_WIN,
    BoomError,
    make_dead_letter,
    make_entry,
    make_user,
    recorded,
    recorded_events,
)
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_adapters.units import Committed
from yabot_core.kernel import CorrelationId, FakeClock, SequentialIds, correlation_scope, new_timer
from yabot_core.lucien import LucienMessage
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded, Hold, Wallet, WalletService


class UnitOfWorkContract(ContractBase):
    """What every unit of work of every backend guarantees."""

    async def test_failed_work_leaves_nothing_behind(self, storage: StorageBackend, clock: FakeClock) -> None:
        """When the work raises, none of its writes (any module's) or events are kept; the error goes on."""
        stamp = {"event_id": "ev-1", "occurred_at": clock.now(), "correlation_id": CorrelationId("c")}
        event = BesitosAwarded(
            **stamp, user_id=ALICE, amount=5, balance_after=5, reason=ADMIN_GRANT, entry_id="e-k"
        )

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(make_entry(clock, await uow.wallets.get(ALICE), 5, "k"))
            await uow.wallets.save_hold(
                Hold(hold_id="h", user_id=ALICE, amount=1, purpose=AUCTION_WIN, created_at=clock.now())
            )
            await uow.users.save(make_user(clock))
            await uow.dead_letters.save(make_dead_letter(clock, "dl"))
            await uow.timers.schedule(new_timer("t", "tests.kind", clock.now(), now=clock.now()))
            await uow.lucien.save(
                LucienMessage(key="m", user_id=ALICE, text="hola", due_at=clock.now(), created_at=clock.now())
            )
            uow.record(event)
            raise BoomError

        with pytest.raises(BoomError):
            await storage.transactions.run(work)

        async def check(uow: StorageUnitOfWork) -> tuple[object, ...]:
            return (
                await uow.wallets.get(ALICE),
                await uow.wallets.get_hold("h"),
                await uow.users.get(ALICE),
                await uow.dead_letters.get("dl"),
                await uow.timers.get("t"),
                await uow.lucien.get("m"),
            )

        assert await storage.transactions.run(check) == (Wallet(user_id=ALICE), None, None, None, None, None)
        assert await recorded(storage) == []
        assert await storage.timer_store.pending(limit=10) == []

    async def test_units_of_work_do_not_nest(self, storage: StorageBackend) -> None:
        """Running a unit of work inside another is a programming error, reported at once."""

        async def inner(uow: StorageUnitOfWork) -> None:
            return None

        async def outer(uow: StorageUnitOfWork) -> None:
            await storage.transactions.run(inner)

        with pytest.raises(RuntimeError):
            await storage.transactions.run(outer)

    async def test_works_see_their_callers_context(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A work runs in its caller's context: its events carry the caller's correlation id."""
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        callers = []
        for key in ("update-1", "update-2"):
            with correlation_scope(CorrelationId(key)):
                callers.append(asyncio.create_task(wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key=key)))
        await asyncio.gather(*callers)
        events = await recorded_events(storage)
        assert sorted(event.correlation_id for event in events) == ["update-1", "update-2"]

    async def test_commit_listeners_hear_commits_with_events(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Listeners are called after a commit that recorded events, and not for one that did not."""
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        calls: list[int] = []
        storage.add_commit_listener(lambda _commit: calls.append(1))

        async def nothing(uow: StorageUnitOfWork) -> None:
            await uow.wallets.get(ALICE)

        await storage.transactions.run(nothing)
        assert calls == []
        await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key="k")
        assert calls == [1]

    async def test_a_failing_listener_never_undoes_a_commit(
        self, storage: StorageBackend, clock: FakeClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A listener that raises is logged; the commit stands, the caller sees success, others still hear."""
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        heard: list[int] = []

        def broken(_commit: Committed) -> None:
            raise RuntimeError("listener roto")

        storage.add_commit_listener(broken)
        storage.add_commit_listener(lambda _commit: heard.append(1))
        entry = await wallet.credit(ALICE, 3, ADMIN_GRANT, idempotency_key="k")
        assert entry.balance_after == 3
        assert (await wallet.balance(ALICE)).balance == 3
        assert heard == [1]
        assert "listener" in caplog.text

    async def test_listeners_hear_whom_a_commit_owes_and_whether_it_scheduled_a_timer(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A listener hears whom the commit's events are owed and whether it scheduled a timer, no more."""
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        heard: list[Committed] = []
        storage.add_commit_listener(heard.append)
        storage.route_events(lambda _event: ("tests.a", "tests.b"))
        await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key="owed")

        async def schedule(uow: StorageUnitOfWork) -> None:
            await uow.timers.schedule(new_timer("t", "tests.kind", clock.now(), now=clock.now()))

        await storage.transactions.run(schedule)
        storage.route_events(lambda _event: ())
        await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key="owed to nobody")  # nothing to wake
        assert heard == [
            Committed(handlers=frozenset({"tests.a", "tests.b"}), scheduled_timer=False),
            Committed(handlers=frozenset(), scheduled_timer=True),
        ]
