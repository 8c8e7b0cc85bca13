"""The users module's storage on every backend."""

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, make_user
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import FakeClock


class UsersContract(ContractBase):
    """Users are stored whole, by id."""

    async def test_users_are_saved_and_replaced(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A user is stored by id, replaced on save, and visible to the read model after commit."""
        alice = make_user(clock)
        renamed = alice.model_copy(
            update={"first_name": "Alice", "username": "alice", "unreachable_since": clock.now()}
        )

        async def save(uow: StorageUnitOfWork) -> None:
            await uow.users.save(alice)

        async def replace(uow: StorageUnitOfWork) -> None:
            await uow.users.save(renamed)

        await storage.transactions.run(save)
        assert await storage.user_queries.get(ALICE) == alice
        await storage.transactions.run(replace)
        assert await storage.user_queries.get(ALICE) == renamed
        assert await storage.user_queries.get(BOB) is None
