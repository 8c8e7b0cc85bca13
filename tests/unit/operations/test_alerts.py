"""Alerts kept in storage: one message per problem however many raise it, reminders while open, one end."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.contracts.common import record_everything, recorded_events
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import StorageBackend, opened
from yabot_core.kernel import DeadLetter, EventId, EventStamper, FakeClock, SequentialIds, TimerFired
from yabot_core.operations import (
    ALERT_REMINDER,
    REMIND_EVERY,
    AlertRaised,
    AlertReminded,
    AlertResolved,
    Alerts,
    Problem,
    dead_letters_problem,
)

OUTBOX = Problem(key="cola", message="operations-problem-outbox", args={"eventos": 1200, "umbral": 1000})


@pytest.fixture(name="storage", params=["memory", "sqlite"])
async def storage_fixture(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[StorageBackend]:
    backend: StorageBackend = (
        InMemoryStorage(clock) if request.param == "memory" else SqliteStorage(tmp_path / "y.db", clock=clock)
    )
    async with opened(backend) as storage:
        record_everything(storage)
        yield storage


def alerts_on(storage: StorageBackend, clock: FakeClock) -> Alerts:
    return Alerts(storage.transactions, storage.timer_store, clock, EventStamper(clock, SequentialIds("e")))


async def fire_reminder(storage: StorageBackend, clock: FakeClock, alerts: Alerts) -> None:
    """What the ticker does when the reminder is due: complete it, hand its event to the handler."""
    (timer,) = await storage.timer_store.pending(limit=10, kind=ALERT_REMINDER)
    (claimed,) = await storage.timer_store.claim_due(clock.now(), "c", clock.now() + timedelta(minutes=1), 10)

    async def complete(uow: object) -> None:
        assert await uow.timers.complete(claimed)  # type: ignore[attr-defined]

    await storage.transactions.run(complete)
    event = TimerFired(
        **EventStamper(clock, SequentialIds("t")).stamp(),
        key=timer.key,
        kind=timer.kind,
        due_at=timer.due_at,
        payload=timer.payload,
    )
    await alerts.remind(event)
    await alerts.remind(event)  # a redelivery reminds nobody twice


class TestAlerts:
    async def test_two_hundred_processes_raising_one_problem_alert_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """200 concurrent raises of one problem (N processes seeing it): exactly one opened it."""
        alerts = [alerts_on(storage, clock) for _ in range(4)]
        opened_by = await asyncio.gather(*(alerts[n % 4].raise_problem(OUTBOX) for n in range(200)))
        assert opened_by.count(True) == 1
        assert [type(e) for e in await recorded_events(storage)] == [AlertRaised]
        (open_problem,) = await alerts[0].open_problems()
        assert open_problem.problem == OUTBOX

    async def test_a_reminder_while_open_and_one_resolution(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Open: reminded every period; resolved once (resolving twice says nothing more); then silence."""
        alerts = alerts_on(storage, clock)
        await alerts.raise_problem(OUTBOX)
        clock.advance(REMIND_EVERY)
        await fire_reminder(storage, clock, alerts)
        assert await alerts.resolve("cola")
        assert not await alerts.resolve("cola")
        events = await recorded_events(storage)
        assert [type(e) for e in events] == [AlertRaised, AlertReminded, AlertResolved]
        assert await storage.timer_store.pending(limit=10) == []
        assert await alerts.open_problems() == []
        assert await alerts.raise_problem(OUTBOX)  # it can start again later: a new alert


def dead_letter(letter_id: str, handler: str, clock: FakeClock) -> DeadLetter:
    return DeadLetter(
        dead_letter_id=letter_id,
        event_id=EventId(f"e-{letter_id}"),
        event_type="besitos.awarded",
        payload="{}",
        user_id=None,
        handler=handler,
        error="RuntimeError: no puede",
        attempts=3,
        failed_at=clock.now(),
    )


class TestDeadLetters:
    async def test_a_handlers_dead_letters_are_one_problem_another_handlers_its_own(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A handler's dead letters are one problem (told with the first's replay id); another's, its own."""
        alerts = alerts_on(storage, clock)
        first, second = (dead_letter(n, "wallet.grant_notice", clock) for n in ("aaa", "bbb"))
        other = dead_letter("ccc", "ranking.count", clock)
        assert await alerts.raise_problem(dead_letters_problem(first))
        assert not await alerts.raise_problem(dead_letters_problem(second))
        assert await alerts.raise_problem(dead_letters_problem(other))
        opened = {problem.problem.key: problem.problem for problem in await alerts.open_problems()}
        assert set(opened) == {"manejador:wallet.grant_notice", "manejador:ranking.count"}
        assert opened["manejador:wallet.grant_notice"].args["id"] == "aaa"
        assert opened["manejador:wallet.grant_notice"].args["evento"] == "besitos.awarded"
