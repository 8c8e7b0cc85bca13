"""Lucien's messages on every backend."""

from datetime import timedelta

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import FakeClock
from yabot_core.lucien import LucienMessage, MessageState


class LucienContract(ContractBase):
    """Messages are stored whole by key and listed newest due first."""

    async def test_messages_are_saved_replaced_and_listed(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A message is stored by key, replaced on save, and listed newest due first, per user on request."""

        def message(key: str, user: int, minutes: int) -> LucienMessage:
            return LucienMessage(
                key=key,
                user_id=user,  # type: ignore[arg-type]
                text=f"texto {key}",
                args={"n": minutes},
                due_at=clock.now() + timedelta(minutes=minutes),
                created_at=clock.now(),
            )

        first, second, other = message("a", ALICE, 1), message("b", ALICE, 5), message("c", BOB, 3)

        async def save(uow: StorageUnitOfWork) -> None:
            for item in (first, second, other):
                await uow.lucien.save(item)

        await storage.transactions.run(save)
        sent = first.model_copy(update={"state": MessageState.SENT, "finished_at": clock.now()})

        async def replace(uow: StorageUnitOfWork) -> LucienMessage | None:
            await uow.lucien.save(sent)
            return await uow.lucien.get("a")

        assert await storage.transactions.run(replace) == sent
        queries = storage.lucien_queries
        assert await queries.get("a") == sent
        assert await queries.get("zz") is None
        assert [m.key for m in await queries.recent()] == ["b", "c", "a"]
        assert [m.key for m in await queries.recent(user_id=ALICE)] == ["b", "a"]
        assert [m.key for m in await queries.recent(limit=1)] == ["b"]
