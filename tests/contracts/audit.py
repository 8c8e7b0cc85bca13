"""The audit log's storage on every backend: entries kept whole, newest first, only with their action."""

from datetime import timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import BoomError
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.audit import Actor, AuditEntry, AuditLog
from yabot_core.kernel import ConcurrentUpdateError, CorrelationId, FakeClock, SequentialIds


def an_entry(clock: FakeClock, entry_id: str, target: str = "user:1", **detail: object) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "entry_id": entry_id,
            "actor": Actor.operator("diana"),
            "action": "subscriptions.grant",
            "target": target,
            "detail": detail,
            "correlation_id": CorrelationId(f"corr-{entry_id}"),
            "created_at": clock.now(),
        }
    )


async def append(storage: StorageBackend, *entries: AuditEntry) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        for entry in entries:
            await uow.audit.append(entry)

    await storage.transactions.run(work)


class AuditContract(ContractBase):
    """What every backend's audit slice must do."""

    async def test_entries_come_back_whole_newest_first(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Entries are stored whole (actor, detail, time) and paged newest first, ties by id, with a count."""
        first = an_entry(clock, "a", days=30, until=None, reason="Niña de mis ojos ✨", nested={"x": [1, 2]})
        clock.advance(timedelta(minutes=1))
        tied = [an_entry(clock, name, target="user:2") for name in ("c", "b")]
        clock.advance(timedelta(minutes=1))
        last = an_entry(clock, "d").model_copy(update={"actor": Actor.api_key("tienda")})
        await append(storage, first)
        await append(storage, *tied, last)

        queries = storage.audit_queries
        page = await queries.page(limit=10, offset=0)
        assert [e.entry_id for e in page.entries] == ["d", "c", "b", "a"]
        assert page.entries[-1] == first
        assert page.entries[0].actor == Actor.api_key("tienda")
        assert (page.total, page.limit, page.offset) == (4, 10, 0)
        second = await queries.page(limit=2, offset=2)
        assert ([e.entry_id for e in second.entries], second.total) == (["b", "a"], 4)
        beyond = await queries.page(limit=2, offset=9)
        assert (beyond.entries, beyond.total) == ((), 4)
        only = await queries.page(limit=10, offset=0, target="user:2")
        assert ([e.entry_id for e in only.entries], only.total) == (["c", "b"], 2)
        assert (await queries.page(limit=10, offset=0, target="user:9")).total == 0

    async def test_an_id_is_written_once(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A second entry with a stored id is a concurrent update; the first stays."""
        await append(storage, an_entry(clock, "a"))
        with pytest.raises(ConcurrentUpdateError):
            await append(storage, an_entry(clock, "a", target="user:3"))
        (kept,) = (await storage.audit_queries.page(limit=10, offset=0)).entries
        assert kept.target == "user:1"

    async def test_an_action_that_fails_leaves_no_entry(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """The log is written in the action's unit of work: when the action fails, its entry is gone too."""
        log = AuditLog(storage.audit_queries, clock, SequentialIds("a"))

        async def work(uow: StorageUnitOfWork) -> None:
            await log.record_in(uow, Actor.admin(42), "subscriptions.revoke", "user:7")  # type: ignore[arg-type]
            raise BoomError

        with pytest.raises(BoomError):
            await storage.transactions.run(work)
        assert (await log.page()).total == 0

    async def test_pages_narrow_by_time_and_actor(self, storage: StorageBackend, clock: FakeClock) -> None:
        """``since`` keeps entries written at or after it, ``actor`` one actor's; filters combine."""
        early = an_entry(clock, "a")
        clock.advance(timedelta(hours=1))
        noon = clock.now()
        by_key = an_entry(clock, "b").model_copy(update={"actor": Actor.api_key("tienda")})
        clock.advance(timedelta(hours=1))
        late = an_entry(clock, "c", target="user:2")
        await append(storage, early, by_key, late)

        queries = storage.audit_queries
        since = await queries.page(limit=10, offset=0, since=noon)
        assert ([e.entry_id for e in since.entries], since.total) == (["c", "b"], 2)
        diana = await queries.page(limit=10, offset=0, actor=Actor.operator("diana"))
        assert ([e.entry_id for e in diana.entries], diana.total) == (["c", "a"], 2)
        both = await queries.page(limit=10, offset=0, since=noon, actor=Actor.operator("diana"))
        assert [e.entry_id for e in both.entries] == ["c"]
        narrow = await queries.page(limit=10, offset=0, since=noon, target="user:1")
        assert [e.entry_id for e in narrow.entries] == ["b"]
        assert (await queries.page(limit=10, offset=0, actor=Actor.admin(42))).total == 0  # type: ignore[arg-type]
