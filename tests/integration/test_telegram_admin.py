"""/admin through the fake Bot API: the menu, real statistics, VIP by buttons, a replay; strangers refused."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.integration.inventory_fan import GUARD, Fan, Screen
from tests.integration.telegram_world import ANA, World
from tests.integration.test_telegram_webhook import SECRET, Pushed
from yabot_adapters.telegram.testing import FakeTelegramServer, RecordedCall
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.modules.trivia import TriviaModule
from yabot_core.audit import Actor, AuditLog, user_target
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import SubscriptionService
from yabot_core.trivia import NewQuestion, Trivia
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded

DIANA = 1001


class Admin(Fan):
    """An admin at the keyboard: like a fan, but a press may also send a new message (a dialog's choice)."""

    async def press(self, label: str) -> Screen:
        """Press a button; wait for the answer and the screen it leaves (edited in place or sent anew)."""
        shown = len(self._screens())
        await self._press(label)
        await self.server.wait_until(lambda: len(self._screens()) > shown, timeout=GUARD)
        self.screen = Screen.of(self._screens()[-1])
        return self.screen

    async def write(self, text: str) -> Screen:
        """Type ``text`` (an answer to the screen's question); return the screen the bot shows next."""
        shown = len(self._screens())
        self.server.feed(self.server.message_update(self.user_id, text, first_name=self.first_name))
        await self.server.wait_until(lambda: len(self._screens()) > shown, timeout=GUARD)
        self.screen = Screen.of(self._screens()[-1])
        return self.screen

    def _screens(self) -> list[RecordedCall]:
        return [
            call
            for call in self.server.sent
            if call.method.lower() in {"sendmessage", "editmessagetext"}
            and call.ok
            and call.params.get("chat_id") == self.user_id
        ]


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server, admin_ids=[DIANA])
    await world.start_polling()
    yield world
    await world.close()


@pytest.fixture(name="admin")
def admin_fixture(server: FakeTelegramServer) -> Admin:
    return Admin(server, DIANA, "Diana")


@pytest.fixture(name="audit")
def audit_fixture(world: World) -> AuditLog:
    return world.container.modules().get(AuditModule).log


@pytest.fixture(name="service")
def service_fixture(world: World) -> SubscriptionService:
    return world.container.modules().get(SubscriptionsModule).service


async def test_statistics_show_the_real_figures(
    world: World, admin: Admin, service: SubscriptionService
) -> None:
    """Fans, VIPs and besitos in the statistics screen are what the modules hold."""
    await world.say("/start")  # Ana: a fan with her welcome besitos
    await world.bus.deliver_pending()
    await service.grant(ANA, days=30, actor=Actor.operator("diana"), idempotency_key="regalo")
    await world.wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key="extra")
    menu = await admin.command("/admin")
    assert "Panel de administración" in menu.text
    stats = await admin.press("📊 Estadísticas")
    assert "Fans registrados: <b>2</b>" in stats.text  # Ana, and Diana who wrote /admin
    assert "VIP ahora: <b>1</b>" in stats.text
    assert "Besitos en circulación: <b>15</b>" in stats.text  # the welcome's 10 and 5 more
    assert "Eventos fallidos: <b>0</b>" in stats.text
    back = await admin.press("⬅️ Volver")
    assert "Panel de administración" in back.text


async def test_a_stranger_is_refused_and_audited(world: World, audit: AuditLog) -> None:
    """/admin from someone not in YABOT_ADMIN_IDS: Lucien declines politely; the audit log has the attempt."""
    reply = await world.say("/admin")
    assert "esa puerta solo se abre para Diana" in reply
    page = await audit.page(target=user_target(ANA))
    (entry,) = page.entries
    assert (entry.action, entry.actor, entry.detail["result"]) == (
        "admin.refused",
        Actor.user(ANA),
        "rechazado",
    )
    assert "Panel" not in reply


async def test_a_dead_letter_is_replayed_from_the_menu(
    world: World, admin: Admin, audit: AuditLog, server: FakeTelegramServer
) -> None:
    """A handler that gave up is listed; replaying it from the menu delivers it and is audited."""
    healed: list[BesitosAwarded] = []

    async def flaky(event: BesitosAwarded) -> None:
        if not healed and getattr(flaky, "broken", True):
            raise RuntimeError("el servicio no responde")
        healed.append(event)

    world.bus.subscribe(BesitosAwarded, flaky, name="test.flaky")
    await world.wallet.credit(UserId(5), 10, ADMIN_GRANT, idempotency_key="k")
    await world.bus.deliver_pending()
    (letter,) = await world.storage.dead_letter_queries.list()
    flaky.broken = False  # type: ignore[attr-defined]  (the cause is fixed)

    await admin.command("/admin")
    listing = await admin.press("🧯 Eventos fallidos")
    assert "besitos.awarded → test.flaky" in listing.text
    shown = await admin.press("🔁 1")
    assert "el servicio no responde" in shown.text
    done = await admin.press("🔁 Reenviar")
    assert "Reenviado: besitos.awarded" in done.text
    assert "No hay eventos fallidos" in done.text
    assert len(healed) == 1
    (entry,) = (await audit.page(actor=Actor.admin(UserId(DIANA)))).entries
    assert (entry.action, entry.target, entry.detail["result"]) == (
        "events.replay",
        f"dead_letter:{letter.dead_letter_id}",
        "ok",
    )


async def test_vip_is_granted_and_revoked_through_the_menu(
    world: World, admin: Admin, audit: AuditLog, service: SubscriptionService, clock: FakeClock
) -> None:
    """The admin types a fan's id, grants (a double tap once), revokes; each audited as the admin."""
    await world.say("/start")
    await admin.command("/admin")
    asked = await admin.press("💎 VIP de un fan")
    assert "Escríbame el número de Telegram del fan" in asked.text
    wrong = await admin.write("Ana")
    assert "solo cifras" in wrong.text
    fan = await admin.write(str(ANA))
    assert f"Fan <code>{ANA}</code> (Ana): no es VIP ahora" in fan.text
    shown = admin.screen
    granted = await admin.press("➕ 30 días")
    until = clock.now() + timedelta(days=30)
    assert f"VIP hasta el <b>{until:%d/%m/%Y}</b>" in granted.text
    assert await service.vip.is_vip(ANA)
    admin.screen = shown  # a double tap: the same button of the same screen, pressed again
    await admin.press("➕ 30 días")
    assert await service.vip.vip_until(ANA) == until  # one grant
    again = await admin.press("➕ 7 días")  # from the screen drawn after the grant: a new grant
    assert f"VIP hasta el <b>{until + timedelta(days=7):%d/%m/%Y}</b>" in again.text
    confirm = await admin.press("✖️ Retirar el VIP")
    assert "¿Retiro el VIP" in confirm.text
    revoked = await admin.press("Sí, retirarlo")
    assert "VIP retirado" in revoked.text
    assert not await service.vip.is_vip(ANA)
    actions = [entry.action for entry in (await audit.page(actor=Actor.admin(UserId(DIANA)))).entries]
    assert sorted(actions) == ["subscriptions.extend", "subscriptions.grant", "subscriptions.revoke"]


async def test_tokens_are_made_and_withdrawn_through_the_menu(
    world: World, admin: Admin, audit: AuditLog
) -> None:
    """A batch of 5 codes for a plan is made and shown; one is withdrawn; both audited as the admin."""
    tokens = world.container.modules().get(SubscriptionsModule).tokens
    await admin.command("/admin")
    empty = await admin.press("🎟 Códigos VIP")
    assert "Aún no hay códigos VIP" in empty.text
    plans = await admin.press("➕ Crear códigos")
    plan = next(label for label in plans.labels if label.startswith("VIP · un mes"))
    await admin.press(plan)
    made = await admin.press("5")
    assert "Estos son los 5 códigos" in made.text
    page = await tokens.page()
    assert page.total == 5
    assert all(f"<code>{token.code}</code>" in made.text for token in page.tokens)
    listing = await admin.press("⬅️ Volver")
    assert listing.text.count("· activo") == 5
    choices = await admin.press("✖️ Retirar un código")
    withdrawn = await admin.press(choices.labels[0])
    assert "retirado" in withdrawn.text
    assert listing.text.count("· activo") - withdrawn.text.count("· activo") == 1
    actions = [entry.action for entry in (await audit.page(actor=Actor.admin(UserId(DIANA)))).entries]
    assert actions[0].endswith("revoke")
    assert len(actions) == 2


async def test_the_menu_works_through_the_webhook(clock: FakeClock, server: FakeTelegramServer) -> None:
    """Pushed updates (webhook mode) open /admin and press its buttons as polling does."""
    world = World(clock, server, telegram_mode="webhook", webhook_secret=SECRET, admin_ids=[DIANA])
    pushed = Pushed(world, clock)
    async with pushed.client:
        await pushed.updates.start()
        try:
            await pushed.push(server.message_update(DIANA, "/admin", first_name="Diana"))
            (menu,) = await server.wait_for_messages(DIANA, 1, timeout=GUARD)
            assert "Panel de administración" in menu
            screen = Screen.of(server.calls("sendMessage")[-1])
            press = {
                "update_id": server.next_update_id(),
                "callback_query": {
                    "id": "press-webhook-1",
                    "from": {"id": DIANA, "is_bot": False, "first_name": "Diana"},
                    "chat_instance": "ci-diana",
                    "message": {
                        "message_id": 1,  # the menu is the first message the fake server numbered
                        "date": 0,
                        "chat": {"id": DIANA, "type": "private", "first_name": "Diana"},
                        "text": "…",
                    },
                    "data": screen.data("📊 Estadísticas"),
                },
            }
            await pushed.push(press)
            await server.wait_until(lambda: bool(server.calls("editMessageText")), timeout=GUARD)
            assert "Fans registrados" in str(server.calls("editMessageText")[-1].params["text"])
        finally:
            await pushed.updates.stop()
            await world.close()


async def test_trivia_results_are_shown_from_the_menu(
    world: World, admin: Admin, server: FakeTelegramServer, clock: FakeClock
) -> None:
    """The trivia screen lists the latest questions; one shows its polls, answers and votes per option."""
    await world.say("/start")
    assert "preguntas de trivia" in await world.say("/trivia")  # Ana opts in
    await world.bus.deliver_pending()
    trivia: Trivia = world.container.modules().get(TriviaModule).trivia
    question = await trivia.create(
        NewQuestion(
            text="¿Qué flor prefiere Diana?",
            options=("La rosa", "El lirio"),
            correct_option=0,
            reward=7,
            closes_at=clock.now() + timedelta(minutes=10),
        )
    )
    await world.bus.deliver_pending()
    (poll,) = server.polls.sent.values()
    await trivia.answer(poll.poll_id, ANA, [0])

    await admin.command("/admin")
    listing = await admin.press("❓ Trivia: resultados")
    assert "las preguntas más recientes" in listing.text
    shown = await admin.press("¿Qué flor prefiere Diana? · abierta")
    assert f"<b>{question.text}</b>" in shown.text
    for line in (
        "Encuestas enviadas: 1",
        "Respuestas: 1",
        "Aciertos a tiempo (premiados): 1, 7 besitos en total",
        "1. La rosa ✅: 1",
        "2. El lirio: 0",
    ):
        assert line in shown.text
    back = await admin.press("⬅️ Volver")
    assert "las preguntas más recientes" in back.text
