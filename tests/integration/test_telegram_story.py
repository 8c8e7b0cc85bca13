"""/historia end to end: the product's own composition, aiogram polling a fake Bot API, a fan reading.

The story is the shipped one («El invernadero de Diana»): pistas picked up on the way reach the mochila, two
of them combine there into the greenhouse's code, and the curtain behind it is for VIP fans only.
"""

from collections.abc import AsyncIterator

import pytest

from tests.contracts.common import OPERATOR
from tests.integration.inventory_fan import GUARD, Fan, Screen
from tests.integration.telegram_world import ANA, World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.story import StoryModule
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core.kernel import FakeClock, UserId
from yabot_core.story import StoryId

LOCKED_CURTAIN = "🔒 Cruzar la cortina"


class Reader(Fan):
    """A fan reading the story: each press answers at once, and the next scene comes as a new message."""

    async def choose(self, label: str) -> Screen:
        """Press a choice; return the scene it led to."""
        before = len(self._sent())
        answer = await self._press(label)
        assert not answer.params.get("show_alert"), f"the press got an alert: {answer.params.get('text')!r}"
        await self.server.wait_until(lambda: len(self._sent()) > before, timeout=GUARD)
        self.screen = Screen.of(self._sent()[before])
        return self.screen

    async def refused(self, label: str) -> str:
        """Press a choice the bot must refuse: return the alert, after checking no scene was sent."""
        before = len(self._sent())
        answer = await self._press(label)
        assert answer.params.get("show_alert") is True, answer.params
        assert len(self._sent()) == before
        return str(answer.params["text"])

    async def walk(self, *labels: str) -> Screen:
        for label in labels:
            await self.choose(label)
        return self.screen


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    """The bot, without the per-user throttle: a journey presses faster than any reader (it has its tests)."""
    world = World(clock, server, telegram_user_rate=0)
    await world.start_polling()
    yield world
    await world.close()


@pytest.fixture(name="reader")
async def reader_fixture(world: World) -> Reader:
    """Ana, who has written /start (so Telegram lets Lucien write to her)."""
    reader = Reader(world.server, ANA)
    await reader.command("/start")
    await world.bus.deliver_pending()
    return reader


async def test_a_fan_reads_finds_pistas_combines_them_and_crosses_the_vip_curtain(
    world: World, reader: Reader
) -> None:
    """/historia → choices → a pista in the mochila → a combination opens the greenhouse → the VIP gate is
    locked for a free fan → after a VIP grant Lucien says she can go on, and the same button goes on."""
    door = await reader.command("/historia")
    assert door.text.startswith("<b>El umbral</b>")
    assert door.labels == ["Entrar en el vestíbulo", "Preguntar por Diana"]
    clock = await reader.walk("Entrar en el vestíbulo", "Ir al salón de música", "Acercarse al reloj")
    assert "Lucien le entrega una pista: <b>La hora detenida</b>" in clock.text
    await reader.walk(
        "Volver al piano", "Volver al vestíbulo", "Ir a la biblioteca", "Subir al estante más alto"
    )
    await reader.walk(
        "Bajar de la escalera", "Volver al vestíbulo", "Salir al jardín", "Acercarse a la fuente"
    )
    gate = await reader.walk("Volver al sendero", "Ir hasta el invernadero")
    assert gate.labels[0] == "🔒 Marcar la combinación"
    alert = await reader.refused("🔒 Marcar la combinación")
    assert "hace falta «La clave del invernadero» en su mochila" in alert

    mochila = await reader.command("/mochila")
    assert "Partitura sin título × 1" in mochila.labels
    await reader.press("Partitura sin título × 1")
    await reader.press("Combinar")
    combined = await reader.press("Con La hora detenida")
    assert "<b>La clave del invernadero</b>" in combined.text

    gate = await reader.command("/historia")
    assert gate.text.startswith("<b>La puerta del invernadero</b>")
    inside = await reader.choose("Marcar la combinación")
    assert inside.text.startswith("<b>El invernadero</b>")
    curtain = await reader.choose("Seguir el rastro de jazmín")
    assert curtain.labels == [LOCKED_CURTAIN, "Salir a ver el amanecer"]
    assert "solo se abre para el círculo VIP de Diana. Si desea cruzarla, /vip le espera." in curtain.text
    vip_alert = await reader.refused(LOCKED_CURTAIN)
    assert "/vip" in vip_alert
    assert world.server.calls("sendPhoto") == []

    subscriptions = world.container.modules().get(SubscriptionsModule).service
    await subscriptions.grant(ANA, days=30, actor=OPERATOR, idempotency_key="vip-ana")
    await world.bus.deliver_pending()
    told = [text for text in world.server.messages(ANA) if "la cortina se ha descorrido" in text]
    assert told == [
        "Ana, la cortina se ha descorrido para usted. Ya puede seguir «El invernadero de Diana» desde «La"
        " cortina de terciopelo»: escriba /historia y le acompaño."
    ]
    private = await reader.choose(LOCKED_CURTAIN)
    assert "<b>Detrás de la cortina</b> · <i>habla Diana</i>" in private.text
    assert world.server.calls("sendMessage")[-1].params["protect_content"] is True


async def test_stale_and_forged_presses_are_refused_and_change_nothing(world: World, reader: Reader) -> None:
    """A button of a passage already left, or callback data no story knows: an alert, the fan stays put."""
    await reader.command("/historia")
    await reader.choose("Entrar en el vestíbulo")
    narrative = world.container.modules().get(StoryModule).narrative
    before = await narrative.progress(UserId(ANA), StoryId("el-invernadero"))
    reader.screen = Screen("", (("Entrar en el vestíbulo", "st:el-invernadero:umbral:entrar:0"),))
    assert "ya quedó atrás" in await reader.refused("Entrar en el vestíbulo")
    reader.screen = Screen("", (("Falsa", "st:el-invernadero:vestibulo:volar:1"),))
    assert "/historia" in await reader.refused("Falsa")
    reader.screen = Screen("", (("Otra", "st:otra:vestibulo:jardin:1"),))
    assert await reader.refused("Otra")
    assert await narrative.progress(UserId(ANA), StoryId("el-invernadero")) == before


async def test_pistas_lists_the_fans_pistas_and_combines_a_known_pair(world: World, reader: Reader) -> None:
    """/pistas: none yet → Lucien says so; two pistas a recipe joins → one button, which combines them."""
    empty = await reader.command("/pistas")
    assert empty.text.startswith("Aún no guarda ninguna pista, Ana.")
    assert empty.labels == []
    grants = world.container.modules().get(InventoryModule).grants
    for item in ("pista-partitura", "pista-reloj", "rosa-roja"):
        await grants.grant(UserId(ANA), item, 1, note=None, idempotency_key=f"pistas-{item}")
    listed = await reader.command("/pistas")
    assert "· <b>Partitura sin título</b>\n· <b>La hora detenida</b>" in listed.text
    assert "Rosa roja" not in listed.text
    assert listed.labels == ["Unir «Partitura sin título» y «La hora detenida»"]
    combined = await reader.press("Unir «Partitura sin título» y «La hora detenida»")
    assert "<b>La clave del invernadero</b>" in combined.text
    after = await reader.command("/pistas")
    assert "La clave del invernadero" in after.text
    assert after.labels == []
