"""Fault drills on the whole bot (fake clock): storage away for 30 s, Telegram answering 5xx, a handler that
crashes. Fans get Lucien's "inténtelo en un momento", nothing is lost, everything resumes, and the admins
hear of each problem once and of its end once."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from litestar.testing import AsyncTestClient

from tests.integration.telegram_world import ANA, World
from yabot_adapters import metrics
from yabot_adapters.http import create_app
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.operations import OperationsModule
from yabot_app.monitor import HealthProbe
from yabot_core.apikeys.tokens import mint
from yabot_core.kernel import BREAKER_OPEN_FOR, BreakerState, FakeClock, UnavailableError, UserId
from yabot_core.operations import ModuleHealthCheckFailed
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded

DIANA = 1001
LATER = "inténtelo de nuevo en un momento"


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server, admin_ids=[DIANA])
    await world.start_polling()
    try:
        yield world
    finally:
        await world.close()


class TestStorageAway:
    async def test_fans_are_asked_to_retry_and_admins_told_once_then_resolved(
        self, world: World, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Storage down 30 s: fans get the apology, the breaker opens, admins hear once, and of the end."""
        monitor = world.container.monitor()
        breaker = world.container.storage_breaker()
        world.storage.simulate_outage()
        fans = [UserId(7000 + n) for n in range(7)]
        replies = [await world.say("/start", user_id=fan, first_name="Fan") for fan in fans]
        assert all("no puedo atender su petición" in reply for reply in replies)
        assert breaker.state is BreakerState.OPEN
        assert LATER in replies[-1]  # refused by the open breaker, without asking the storage
        assert "Traceback" not in "".join(replies)
        app = create_app(
            authenticator=world.container.api_authenticator(), route_handlers=world.container.modules().api()
        )
        async with AsyncTestClient(app=app) as client:
            refused = await client.get(
                "/api/v1/users/1/besitos", headers={"Authorization": f"Bearer {mint().token}"}
            )
        assert refused.status_code == 503
        assert refused.json()["code"] == "circuito_abierto"
        assert refused.headers["Retry-After"] == "5"

        await monitor.check()
        clock.advance(timedelta(seconds=15))
        await monitor.check()
        (opened,) = server.messages(DIANA)
        assert "almacenamiento no responde" in opened

        clock.advance(BREAKER_OPEN_FOR)
        world.storage.simulate_outage(on=False)
        welcome = await world.say("/start", user_id=fans[0], first_name="Fan")
        assert LATER not in welcome
        assert breaker.state is BreakerState.CLOSED
        await monitor.check()
        await monitor.check()
        assert len(server.messages(DIANA)) == 2
        assert "resuelto" in server.messages(DIANA)[-1]

        for fan in fans[1:]:  # nothing half-done: every fan can still start, and is welcomed once
            await world.say("/start", user_id=fan, first_name="Fan")
        await world.bus.deliver_pending()
        for fan in fans:
            assert (await world.wallet.balance(fan)).balance == 10


class TestTelegramFailing:
    async def test_a_short_burst_is_absorbed_by_the_retries(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """Two 502s in a row: the notices are retried, each fan hears once, nothing is dead-lettered."""
        await world.say("/start")
        before = len(server.messages(ANA))
        server.fail("sendMessage", 502, "Bad Gateway", times=2)
        for n in range(2):
            await world.wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key=f"burst-{n}")
        await world.bus.deliver_pending()
        assert len(server.messages(ANA)) == before + 2
        assert await world.storage.dead_letter_queries.list() == []

    async def test_an_outage_opens_the_breaker_and_notices_wait_in_the_outbox(
        self, world: World, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Telegram 5xx until it recovers: after 5 failures the breaker holds the notices; they all arrive.

        A notice that fails its three attempts before the breaker opens is a dead letter: alerted, replayed.
        """
        fans = [UserId(5100 + n) for n in range(3)]
        for fan in fans:
            await world.say("/start", user_id=fan, first_name="Fan")
        await world.bus.deliver_pending()
        breaker = world.container.telegram_breaker()
        monitor = world.container.monitor()
        server.fail("sendMessage", 500, "Internal Server Error")
        for fan in fans:
            await world.wallet.credit(fan, 5, ADMIN_GRANT, idempotency_key=f"outage-{fan}")
        await world.bus.deliver_pending()
        assert breaker.state is BreakerState.OPEN
        assert (await world.storage.outbox.backlog()).get("wallet.grant_notice", 0) >= 1  # waiting
        await monitor.check()
        await monitor.check()
        await world.bus.deliver_pending()  # the alert itself waits: Telegram is away

        server.clear_failures()
        clock.advance(BREAKER_OPEN_FOR)
        await world.bus.deliver_pending()
        await world.bus.deliver_pending()
        assert breaker.state is BreakerState.CLOSED
        await monitor.check()
        await world.bus.deliver_pending()
        told = [text for text in server.messages(DIANA) if "Telegram no responde:" in text]
        (opened, resolved) = told  # once when it started, once when it ended
        assert "Lamento interrumpirle" in opened
        assert "resuelto" in resolved

        for letter in await world.storage.dead_letter_queries.list():
            await world.bus.replay(letter.dead_letter_id)
        for fan in fans:  # every notice arrived, once
            assert len([text for text in server.messages(fan) if "5 besitos" in text]) == 1
        assert await world.storage.outbox.backlog() == {}


class TestHandlerCrashes:
    async def test_a_crashing_handler_gets_the_fan_an_apology_and_the_bot_carries_on(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """An update handler that raises: the fan gets Lucien's apology (no trace); the next update works."""
        crashing = Router(name="crashing")

        @crashing.message(Command("romper"))
        async def crash(_: Message) -> None:
            raise RuntimeError("boom")

        world = World(clock, server, admin_ids=[DIANA], routers=[crashing])
        await world.start_polling()
        try:
            reply = await world.say("/romper")
            assert "algo se ha torcido" in reply
            assert "boom" not in reply
            assert "libro de cuentas" in await world.say("/saldo")
        finally:
            await world.close()


class TestReconciliationAlerts:
    async def test_a_planted_inconsistency_is_found_by_the_daily_timer_and_alerted_once(
        self, world: World, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """A ledger entry removed behind the app's back: the daily run alerts once; "resuelto" once fixed."""
        operations = world.container.modules().get(OperationsModule)
        ticker = world.container.ticker()
        await world.wallet.credit(ANA, 30, ADMIN_GRANT, idempotency_key="a")
        await world.wallet.credit(ANA, 12, ADMIN_GRANT, idempotency_key="b")
        world.storage.states["wallets"].entries[ANA].pop()  # the 12: balance 42, ledger 30

        async def next_day() -> list[str]:
            clock.advance(timedelta(days=1))
            await operations.schedule()
            clock.advance(timedelta(days=1))
            assert await ticker.fire_due() >= 1
            for _ in range(3):  # the timer's run, its findings' alert, the alert's message
                await world.bus.deliver_pending()
            return [text for text in server.messages(DIANA) if "conciliación" in text]

        (alert,) = await next_day()
        assert "Lamento interrumpirle" in alert
        assert "wallet.ledger" in alert
        assert "42 besitos" in alert
        again = await next_day()  # found again: no second alert, only the reminder it is still open
        assert [text for text in again if "Lamento interrumpirle" in text] == [alert]
        assert "Me permito recordarle" in again[-1]

        report = await operations.reconciliation.run(repair=True)
        assert report.repaired == (ANA,)
        told = await next_day()
        assert "resuelto" in told[-1]
        assert len([text for text in told if "resuelto" in text]) == 1


class TestMonitor:
    async def test_an_unhealthy_module_a_growing_outbox_and_a_slow_sla_each_alert_once(
        self, world: World, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Each problem the monitor sees is told once while it lasts, and once when it ends."""
        sick = {"on": True}

        async def saldos() -> None:
            if sick["on"]:
                raise UnavailableError("Los saldos no se pueden leer.")

        monitor = replace(
            world.container.monitor(),
            health=[HealthProbe("wallet", "saldos", saldos)],
            outbox_threshold=2,
            sla_minutes=3,
        )
        failed_checks: list[ModuleHealthCheckFailed] = []

        async def heard(event: ModuleHealthCheckFailed) -> None:
            failed_checks.append(event)

        world.bus.subscribe(ModuleHealthCheckFailed, heard, name="test.health")
        world.bus.declare(BesitosAwarded, name="nadie.lo.atiende", why="otro proceso")  # owed, run by nobody
        for n in range(2):
            await world.wallet.credit(ANA, 1, ADMIN_GRANT, idempotency_key=f"owed-{n}")
        await world.bus.deliver_pending()  # all but the handler nobody runs
        for _minute in range(4):  # events slower than 500 ms for more than three minutes
            for _ in range(20):
                metrics.EVENT_LATENCY.labels("test.slow").observe(0.9)
            await monitor.check()
            await monitor.check()
            for _ in range(2):  # the alerts' own delivery, before the clock moves on
                await world.bus.deliver_pending()
            clock.advance(timedelta(minutes=1))

        def told(words: str) -> list[str]:
            return [text for text in server.messages(DIANA) if words in text]

        assert len(told("El módulo wallet no está sano")) == 1
        assert "Los saldos no se pueden leer." in told("El módulo wallet")[0]
        assert len(told("Se acumulan")) == 1
        ((module, check),) = {(e.module, e.check) for e in failed_checks}  # published once, for other modules
        assert (module, check, len(failed_checks)) == ("wallet", "saldos", 1)
        assert len(told("La entrega de eventos supera su objetivo de 500 ms")) == 1

        sick["on"] = False
        for _ in range(20):
            metrics.EVENT_LATENCY.labels("test.slow").observe(0.01)
        await monitor.check()
        await monitor.check()
        for _ in range(3):
            await world.bus.deliver_pending()
        resolved = told("Todo vuelve a su orden")
        assert len([text for text in resolved if "El módulo wallet" in text]) == 1
        assert len([text for text in resolved if "La entrega de eventos" in text]) == 1
        assert told("Se acumulan")[-1].startswith("Lamento")  # still waiting for nobody: still open
