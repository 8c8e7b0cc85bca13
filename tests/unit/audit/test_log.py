"""The audit log's rules: actors and their labels, checked actions and targets, correlation, pages."""

import pytest

from tests.contracts.common import BoomError
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.audit import Actor, ActorKind, AuditEntry, AuditLog
from yabot_core.kernel import (
    CorrelationId,
    FakeClock,
    InvalidInputError,
    SequentialIds,
    UserId,
    correlation_scope,
)


@pytest.fixture(name="log")
def log_fixture(storage: InMemoryStorage, clock: FakeClock) -> AuditLog:
    return AuditLog(storage.audit_queries, clock, SequentialIds("a"))


async def record(storage: InMemoryStorage, log: AuditLog, action: str, target: str) -> AuditEntry:
    async def work(uow: StorageUnitOfWork) -> AuditEntry:
        return await log.record_in(uow, Actor.operator("diana"), action, target, detail={"dias": 3})

    return await storage.transactions.run(work)


def test_actors_are_written_read_and_labelled() -> None:
    """An actor is ``kind:name``, read back the same; admins are the shell, Telegram admins and API keys."""
    for actor in (
        Actor.operator("diana"),
        Actor.admin(UserId(42)),
        Actor.api_key("tienda"),
        Actor.user(UserId(7)),
    ):
        assert Actor.parse(str(actor)) == actor
    assert [
        Actor.parse(text).label for text in ("operator:diana", "admin:42", "api_key:tienda", "system:yabot")
    ] == [
        "operador diana",
        "admin 42",
        "clave de API tienda",
        "YABOT",
    ]
    assert [actor.is_admin for actor in (Actor.operator("d"), Actor.user(UserId(7)), Actor.system())] == [
        True,
        False,
        False,
    ]
    assert Actor.parse("robot:x").kind is ActorKind.SYSTEM
    with pytest.raises(ValueError, match="kind:name"):
        Actor.parse("diana")


async def test_an_entry_takes_the_scopes_correlation_and_the_clocks_time(
    storage: InMemoryStorage, log: AuditLog, clock: FakeClock
) -> None:
    """Inside a correlation scope the entry carries its id; outside, one of its own."""
    with correlation_scope(CorrelationId("tg-7")):
        inside = await record(storage, log, "subscriptions.grant", "user:1")
    outside = await record(storage, log, "subscriptions.revoke", "user:1")
    assert inside.correlation_id == "tg-7"
    assert outside.correlation_id not in ("tg-7", "")
    assert inside.created_at == clock.now()
    page = await log.page()
    assert [e.entry_id for e in page.entries] == [outside.entry_id, inside.entry_id]
    assert page.entries[1].detail == {"dias": 3}


@pytest.mark.parametrize(
    ("action", "target"),
    [("grant", "user:1"), ("Subscriptions.Grant", "user:1"), ("subscriptions.grant", ""), ("a.b", "x" * 101)],
)
async def test_a_malformed_action_or_target_is_refused(
    storage: InMemoryStorage, log: AuditLog, action: str, target: str
) -> None:
    """An action is ``module.verb`` in lowercase, a target 1 to 100 characters: else a caller's bug."""
    with pytest.raises(InvalidInputError):
        await record(storage, log, action, target)
    assert (await log.page()).total == 0


async def test_pages_are_checked(log: AuditLog) -> None:
    """A page holds 1 to 100 entries and starts at a non-negative offset."""
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": True}):
        with pytest.raises(InvalidInputError):
            await log.page(**bad)  # type: ignore[arg-type]


async def test_an_entry_lives_and_dies_with_its_action(storage: InMemoryStorage, log: AuditLog) -> None:
    """Recorded in a unit of work that then fails, the entry is gone with it."""

    async def work(uow: StorageUnitOfWork) -> None:
        await log.record_in(uow, Actor.system(), "subscriptions.expire", "user:1")
        raise BoomError

    with pytest.raises(BoomError):
        await storage.transactions.run(work)
    assert (await log.page()).total == 0
