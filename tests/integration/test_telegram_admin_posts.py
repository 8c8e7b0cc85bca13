"""/admin schedules posts and sends broadcasts through the fake Bot API: preview, confirm once, send once."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, Final

import pytest

from tests.integration.inventory_fan import Screen
from tests.integration.telegram_world import ANA, GUARD, World
from tests.integration.test_telegram_admin import Admin
from tests.integration.test_telegram_posts_and_broadcasts import settle
from yabot_adapters.telegram.fake_channels import channel_chat
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.broadcasts import BroadcastsModule
from yabot_app.modules.posts import PostsModule
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, UserId
from yabot_core.posts import PostState

DIANA: Final = 1001
FREE: Final = -1005000000001
VIP: Final = -1005000000002
PHOTO: Final = "AgADfoto-grande"
CAPTION: Final = "Esta noche, <b>solo</b> para vosotros"


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    for channel in (FREE, VIP):  # the bot is an admin of both channels: Telegram knows it there
        server.introduce({"update_id": 0, "channel_post": {"chat": channel_chat(channel), "message_id": 1}})
    world = World(
        clock,
        server,
        free_channel_id=FREE,
        vip_channel_id=VIP,
        admin_ids=[DIANA],
        telegram_user_rate=0,  # the admin presses faster than a fan may write: no pace in these journeys
    )
    await world.start_polling()
    yield world
    watch = world.container.modules().get(BroadcastsModule).watch
    assert watch is not None
    await watch.stop()  # a screen left while its broadcast waits is still watched: the lifecycle's stop
    await world.close()


@pytest.fixture(name="admin")
def admin_fixture(server: FakeTelegramServer) -> Admin:
    return Admin(server, DIANA, "Diana")


def photo_update(server: FakeTelegramServer, user_id: int, caption: str) -> dict[str, Any]:
    """A private message with a photo (Telegram's sizes, smallest first) and a bold word in its caption."""
    update = server.message_update(user_id, "-", first_name="Diana")
    message = update["message"]
    message.pop("text")
    message.pop("entities", None)
    message["photo"] = [
        {"file_id": "AgADfoto-mini", "file_unique_id": "m1", "width": 90, "height": 90},
        {"file_id": PHOTO, "file_unique_id": "g1", "width": 1280, "height": 1280},
    ]
    message["caption"] = caption.replace("<b>", "").replace("</b>", "")
    message["caption_entities"] = [{"type": "bold", "offset": caption.index("<b>"), "length": 4}]
    return update


async def write_photo(admin: Admin, server: FakeTelegramServer) -> Screen:
    """The admin sends the post's photo; return the screen the bot shows next."""
    shown = len(admin._screens())
    server.feed(photo_update(server, DIANA, CAPTION))
    await server.wait_until(lambda: len(admin._screens()) > shown, timeout=GUARD)
    admin.screen = Screen.of(admin._screens()[-1])
    return admin.screen


class TestSchedulingAPost:
    async def test_a_protected_photo_is_previewed_confirmed_once_and_published_once(
        self, world: World, admin: Admin, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """Compose a photo, free channel, in an hour, protected; the preview is the post; a double tap
        schedules once; at the time the channel gets one protected sendPhoto."""
        await admin.command("/admin")
        compose = await admin.press("📝 Programar publicación")
        assert "Envíeme la publicación" in compose.text
        channels = await write_photo(admin, server)
        assert channels.labels[:2] == ["📢 Canal gratuito", "💎 Canal VIP"]
        times = await admin.press("📢 Canal gratuito")
        assert "Europe/Madrid" in times.text
        options = await admin.press("⏱ En 1 hora")
        assert "🔓 Sin protección" in options.text
        options = await admin.press("🔓 Protegida: no (pulse para proteger)")
        assert "🔒 Protegida" in options.text
        confirm = await admin.press("👁 Vista previa")
        (preview,) = server.calls("sendPhoto")
        assert preview.params["chat_id"] == DIANA
        assert (preview.params["photo"], preview.params["caption"]) == (PHOTO, CAPTION)
        assert preview.params["protect_content"] is True
        assert "¿La programo?" in confirm.text
        done = await admin.press("✅ Confirmar y programar")
        assert "✅ Programada" in done.text
        await admin.press_again()  # Telegram delivers the confirm tap twice
        posts = world.container.modules().get(PostsModule).posts
        (post,) = await posts.listing(limit=10)
        assert (post.state, post.protect, post.due_at) == (
            PostState.SCHEDULED,
            True,
            clock.now() + timedelta(hours=1),
        )
        audit = world.container.modules().get(AuditModule).log
        actions = [entry.action for entry in (await audit.page(actor=Actor.admin(UserId(DIANA)))).entries]
        assert actions == ["posts.schedule"]

        clock.advance(timedelta(minutes=59))
        await settle(world)
        assert len(server.calls("sendPhoto")) == 1  # only the preview
        clock.advance(timedelta(minutes=1))
        await settle(world)
        (_, published) = server.calls("sendPhoto")
        assert published.ok
        assert (published.params["chat_id"], published.params["photo"]) == (FREE, PHOTO)
        assert (published.params["caption"], published.params["protect_content"]) == (CAPTION, True)
        assert (await posts.get(post.post_id)).state is PostState.PUBLISHED

    async def test_an_upcoming_post_is_cancelled_after_a_confirmation(
        self, world: World, admin: Admin, clock: FakeClock
    ) -> None:
        """A typed time schedules a text; the list shows it; cancelling it keeps it from the channel."""
        await admin.command("/admin")
        await admin.press("📝 Programar publicación")
        await admin.write("Rebajas de invierno")
        await admin.press("💎 Canal VIP")
        wrong = await admin.write("mañana pronto")
        assert "No entiendo esa hora" in wrong.text
        options = await admin.write("31/12 23:30")
        assert "🔒 Protegida" in options.text  # the VIP channel is always protected
        assert "🔓" not in " ".join(options.labels)
        await admin.press("👁 Vista previa")
        await admin.press("✅ Confirmar y programar")
        await admin.command("/admin")
        listing = await admin.press("🗓 Próximas publicaciones")
        assert "31 dic" in listing.text
        assert "23:30 · vip · texto · Rebajas de invierno" in listing.text
        confirm = await admin.press("✖️ 1")
        assert "¿Cancelo la publicación" in confirm.text
        cancelled = await admin.press("Sí, cancelarla")
        assert "Publicación cancelada" in cancelled.text
        assert "No hay publicaciones programadas" in cancelled.text
        posts = world.container.modules().get(PostsModule).posts
        (post,) = await posts.listing(limit=10)
        assert post.state is PostState.CANCELLED


BEA: Final = 5151
CARLA: Final = 6161
MESSAGE: Final = "Hoy hay directo a las 22:00 <3"


async def compose_broadcast(world: World, admin: Admin) -> Screen:
    """Three fans (Carla blocked the bot); the admin composes a broadcast to everyone: the preview."""
    for fan, name in ((ANA, "Ana"), (BEA, "Bea"), (CARLA, "Carla")):
        await world.say("/start", user_id=fan, first_name=name)
    world.server.block(CARLA)
    await admin.command("/admin")
    compose = await admin.press("📣 Difusión")
    assert "Escríbame el mensaje" in compose.text
    audiences = await admin.write(MESSAGE)
    assert audiences.labels[:4] == [
        "📣 Todos los fans",
        "💎 Los VIP",
        "👥 Los que no son VIP",
        "⏳ VIP que vencen en 3 días",
    ]
    await admin.press("📣 Todos los fans")
    return await admin.press("Eventos, sorteos y subastas")


class TestBroadcasting:
    async def test_a_broadcast_shows_its_audience_then_live_progress_and_final_counts(
        self, world: World, admin: Admin, server: FakeTelegramServer
    ) -> None:
        """The preview counts the audience; a double tap creates one broadcast; the screen ends with the
        counts: sent to the reachable fans, the one who blocked the bot counted, not retried."""
        preview = await compose_broadcast(world, admin)
        assert "Hoy hay directo a las 22:00 &lt;3" in preview.text
        assert "4 fans" in preview.text  # Ana, Bea, Carla and Diana herself
        started = await admin.press("✅ Confirmar y enviar")
        assert "Difusión a punto de empezar" in started.text
        await admin.press_again()  # Telegram delivers the confirm tap twice
        module = world.container.modules().get(BroadcastsModule)
        (broadcast,) = await module.broadcasts.listing()
        assert module.runner is not None
        assert await module.runner.tick() == 1

        def finished() -> bool:
            return "Difusión terminada" in admin._screens()[-1].params["text"]

        await server.wait_until(finished, timeout=GUARD)
        final = Screen.of(admin._screens()[-1])
        assert "▓▓▓▓▓▓▓▓▓▓▓▓ 100 %" in final.text
        assert "Enviados: <b>3</b>" in final.text
        assert "Bloqueados: <b>1</b>" in final.text
        assert "Fallidos: <b>0</b>" in final.text
        assert "⏹ Detener la difusión" not in final.labels
        received = [
            call.params["chat_id"]
            for call in server.calls("sendMessage")
            if call.params.get("text") == "Hoy hay directo a las 22:00 &lt;3"
        ]
        assert sorted(received) == sorted([ANA, BEA, CARLA, DIANA])  # Carla's refused: 403, once
        assert (await module.broadcasts.progress(broadcast.broadcast_id)).blocked == 1

    async def test_a_broadcast_is_stopped_before_anyone_gets_it(self, world: World, admin: Admin) -> None:
        """Found again from the menu while it waits to go out, stopping it (after a confirmation) leaves
        everyone unsent; the screen says so."""
        await compose_broadcast(world, admin)
        await admin.press("✅ Confirmar y enviar")
        await admin.press("⬅️ Volver")
        await admin.command("/admin")
        again = await admin.press("📣 Difusión")
        assert "Hay una difusión en marcha" in again.text
        await admin.press("📣 Hoy hay directo a las 22:00 <3")
        await admin.press("⏹ Detener la difusión")
        stopped = await admin.press("Sí, detenerla")
        assert "Difusión detenida" in stopped.text
        module = world.container.modules().get(BroadcastsModule)
        assert module.runner is not None
        await module.runner.tick()
        (broadcast,) = await module.broadcasts.listing()
        assert (await module.broadcasts.progress(broadcast.broadcast_id)).sent == 0
        audit = world.container.modules().get(AuditModule).log
        actions = [entry.action for entry in (await audit.page(actor=Actor.admin(UserId(DIANA)))).entries]
        assert sorted(actions) == ["broadcasts.cancel", "broadcasts.create"]
