"""The users module's storage on every backend."""

from datetime import timedelta

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, make_user, recorded_events
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.users import User, UserDirectory, UserProfile, UserRegistered


class UsersContract(ContractBase):
    """Users are stored whole, by id."""

    async def test_users_are_saved_and_replaced(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A user is stored by id, replaced on save, and visible to the read model after commit."""
        alice = make_user(clock)
        renamed = alice.model_copy(update={"first_name": "Alice", "username": "alice"})

        async def save(uow: StorageUnitOfWork) -> None:
            await uow.users.save(alice)

        async def replace(uow: StorageUnitOfWork) -> None:
            await uow.users.save(renamed)

        await storage.transactions.run(save)
        assert await storage.user_queries.get(ALICE) == alice
        await storage.transactions.run(replace)
        assert await storage.user_queries.get(ALICE) == renamed
        assert await storage.user_queries.get(BOB) is None

    async def test_users_are_counted(self, storage: StorageBackend, clock: FakeClock) -> None:
        """``count`` is how many users are stored; a replacement is no new user."""
        assert await storage.user_queries.count() == 0
        alice = make_user(clock)

        async def save(uow: StorageUnitOfWork) -> None:
            await uow.users.save(alice)
            await uow.users.save(alice.model_copy(update={"first_name": "Alice"}))
            await uow.users.save(make_user(clock, BOB))

        await storage.transactions.run(save)
        assert await storage.user_queries.count() == 2

    async def test_users_keep_when_they_blocked_the_bot(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """``blocked_at`` is stored, read back as the same instant, and cleared by a replacement."""
        blocked = make_user(clock).model_copy(update={"blocked_at": clock.now() + timedelta(minutes=5)})
        reachable = blocked.model_copy(update={"blocked_at": None})

        async def save(user: User) -> None:
            async def work(uow: StorageUnitOfWork) -> None:
                await uow.users.save(user)

            await storage.transactions.run(work)

        await save(blocked)
        assert await storage.user_queries.get(ALICE) == blocked
        await save(reachable)
        assert await storage.user_queries.get(ALICE) == reachable

    async def test_blocking_the_bot_marks_known_users_only(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A known user who blocks is marked unreachable and back; a stranger who blocks stays unknown."""
        directory = UserDirectory(storage.transactions, storage.user_queries, clock, SequentialIds("u"))
        await directory.register(UserProfile(user_id=ALICE, first_name="Alicia"))
        clock.advance(timedelta(hours=1))

        blocked = await directory.mark_unreachable(ALICE)
        assert blocked is not None
        assert blocked.blocked_at == clock.now()
        assert await storage.user_queries.get(ALICE) == blocked
        assert await directory.mark_unreachable(BOB) is None
        assert await directory.mark_reachable(BOB) is None
        assert await storage.user_queries.get(BOB) is None

        clock.advance(timedelta(hours=1))
        unblocked = await directory.mark_reachable(ALICE)
        assert unblocked is not None
        assert unblocked.reachable
        assert await storage.user_queries.get(ALICE) == unblocked
        events = [event.event_type for event in await recorded_events(storage)]
        assert events == [UserRegistered.event_type]  # blocking publishes nothing, strangers get no gift
