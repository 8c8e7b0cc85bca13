"""Posts and broadcasts through aiogram and the fake Bot API: media, albums, protection, removal, alerts,
and /notificaciones deciding who hears a broadcast."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Final

import pytest

from tests.integration.inventory_fan import Fan
from tests.integration.telegram_world import ANA, GUARD, World
from yabot_adapters.telegram.fake_channels import channel_chat
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.broadcasts import BroadcastsModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.posts import PostsModule
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core.audit import Actor
from yabot_core.broadcasts import BroadcastProgress, BroadcastState, audience_of
from yabot_core.kernel import FakeClock, UserId
from yabot_core.posts import PostChannel, PostState, post_content

FREE: Final = -1005000000001
VIP: Final = -1005000000002
BEA: Final = UserId(5151)
ADMIN: Final = Actor.operator("pruebas")


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    for channel in (FREE, VIP):  # the bot is an admin of both channels: Telegram knows it there
        server.introduce({"update_id": 0, "channel_post": {"chat": channel_chat(channel), "message_id": 1}})
    world = World(clock, server, free_channel_id=FREE, vip_channel_id=VIP, admin_ids=str(ANA))
    await world.start_polling()
    yield world
    await world.close()


async def settle(world: World) -> None:
    """Fire what is due and deliver what it causes, until nothing is left."""
    ticker = world.container.ticker()
    for _ in range(10):
        fired = await ticker.fire_due()
        delivered = await world.bus.deliver_pending()
        if not fired and not delivered:
            return
    msg = "timers and events kept coming"
    raise AssertionError(msg)


class TestPosts:
    async def test_a_vip_photo_and_a_free_album_are_published_protected_then_removed(
        self, world: World, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """A VIP photo is protected unasked; an album is one sendMediaGroup, removed an hour later."""
        posts = world.container.modules().get(PostsModule).posts
        photo = await posts.schedule(
            PostChannel.VIP, post_content("Solo para VIP", [("foto", "AgADfoto")]), actor=ADMIN
        )
        album = await posts.schedule(
            PostChannel.FREE,
            post_content("Tres vistas", [("foto", "f1"), ("video", "v2"), ("foto", "https://x.test/3.jpg")]),
            at=clock.now() + timedelta(minutes=5),
            protect=True,
            remove_after=timedelta(hours=1),
            actor=ADMIN,
        )
        await settle(world)
        (sent_photo,) = server.calls("sendPhoto")
        assert sent_photo.ok
        assert sent_photo.params["chat_id"] == VIP
        assert (sent_photo.params["photo"], sent_photo.params["caption"]) == ("AgADfoto", "Solo para VIP")
        assert sent_photo.params["protect_content"] is True
        assert server.calls("sendMediaGroup") == []  # not due yet
        clock.advance(timedelta(minutes=5))
        await settle(world)
        (sent_album,) = server.calls("sendMediaGroup")
        assert sent_album.ok
        assert [item["type"] for item in sent_album.params["media"]] == ["photo", "video", "photo"]
        assert sent_album.params["media"][0]["caption"] == "Tres vistas"
        assert sent_album.params["protect_content"] is True
        published = await posts.get(album.post_id)
        assert published.state is PostState.PUBLISHED
        assert len(published.message_ids) == 3
        clock.advance(timedelta(hours=1))
        await settle(world)
        (deleted,) = server.calls("deleteMessages")
        assert (deleted.params["chat_id"], deleted.params["message_ids"]) == (
            FREE,
            list(published.message_ids),
        )
        assert (await posts.get(album.post_id)).state is PostState.REMOVED
        assert (await posts.get(photo.post_id)).state is PostState.PUBLISHED

    async def test_a_post_telegram_refuses_is_given_up_and_the_admins_are_told(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """A bad file is refused for good: the post is ``fallida`` and Lucien tells the admins why."""
        await world.say("/start")  # the admin has a chat with the bot
        server.fail("sendPhoto", 400, "Bad Request: wrong file identifier/HTTP URL specified")
        posts = world.container.modules().get(PostsModule).posts
        post = await posts.schedule(PostChannel.FREE, post_content("", [("foto", "malo")]), actor=ADMIN)
        await settle(world)
        assert (await posts.get(post.post_id)).state is PostState.FAILED
        alert = (await server.wait_for_messages(ANA, 2, timeout=GUARD))[-1]
        assert "no ha salido" in alert
        assert post.post_id in alert
        assert "wrong file identifier" in alert


class TestNotifications:
    async def test_a_fan_who_opts_out_does_not_hear_that_category(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """Ana turns «ofertas» off with /notificaciones; a broadcast of offers reaches Bea only, protected."""
        ana, bea = Fan(server, ANA), Fan(server, BEA, "Bea")
        await ana.command("/start")
        await bea.command("/start")
        screen = await ana.command("/notificaciones")
        label = "✅ Ofertas, rebajas y precios especiales"
        assert label in screen.labels
        notice = await press(server, ana, label)
        assert notice == "Anotado: no le molestaré más con avisos de «Ofertas, rebajas y precios especiales»."
        (edit,) = server.calls("editMessageReplyMarkup")
        texts = [row[0]["text"] for row in edit.params["reply_markup"]["inline_keyboard"]]
        assert "🔕 Ofertas, rebajas y precios especiales" in texts

        module = world.container.modules().get(BroadcastsModule)
        created = await module.broadcasts.create(
            "Rebajas <hoy>", audience_of("todos"), category="ofertas", protect=True, actor=ADMIN
        )
        assert module.runner is not None
        seen: list[BroadcastProgress] = []

        async def follow(progress: BroadcastProgress) -> None:  # what an admin's progress bar would do
            seen.append(progress)

        module.runner.on_progress(follow)
        assert await module.runner.tick() == 1
        final = seen[-1]
        assert (final.broadcast_id, final.state, final.sent, final.skipped) == (
            created.broadcast_id,
            BroadcastState.FINISHED,
            1,
            1,
        )
        offers = [
            call for call in server.calls("sendMessage") if "Rebajas" in str(call.params.get("text", ""))
        ]
        assert [(call.params["chat_id"], call.params["text"]) for call in offers] == [
            (BEA, "Rebajas &lt;hoy&gt;")
        ]
        assert offers[0].params["protect_content"] is True


async def press(server: FakeTelegramServer, fan: Fan, label: str) -> str:
    """Press a button of the fan's last screen; return the notice the bot answered with."""
    answered = len(server.calls("answerCallbackQuery"))
    server.feed(
        {
            "update_id": server.next_update_id(),
            "callback_query": {
                "id": f"press-{fan.user_id}-{answered}",
                "from": {"id": fan.user_id, "is_bot": False, "first_name": fan.first_name},
                "chat_instance": "ci",
                "message": {
                    "message_id": 777,
                    "date": 1,
                    "chat": {"id": fan.user_id, "type": "private", "first_name": fan.first_name},
                    "text": "…",
                },
                "data": fan.screen.data(label),
            },
        }
    )
    answer = await server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)
    return str(answer.params.get("text"))


class TestProtection:
    async def test_lucien_protects_what_he_tells_vips_and_admins_only(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """A VIP's message and an admin's alert carry protect_content; a free fan's does not."""
        ana, bea = Fan(server, ANA), Fan(server, BEA, "Bea")
        await ana.command("/start")
        await bea.command("/start")
        await (
            world.container.modules()
            .get(SubscriptionsModule)
            .service.grant(BEA, days=30, actor=ADMIN, idempotency_key="vip-bea")
        )
        await world.bus.deliver_pending()
        lucien = world.container.modules().get(LucienModule).lucien
        before = len(server.calls("sendMessage"))
        await lucien.schedule_text(BEA, "Para una VIP")
        await lucien.schedule_text(ANA, "Para quien no es VIP")
        await settle(world)
        sent = {
            int(call.params["chat_id"]): call.params.get("protect_content")
            for call in server.calls("sendMessage")[before:]
            if str(call.params.get("text", "")).startswith("Para")
        }
        assert sent == {BEA: True, ANA: None}
        await lucien.tell_admins(
            "posts-failed", id="p-1", canal="vip", estado="no se publicó", error="prueba"
        )
        alert = server.calls("sendMessage")[-1]
        assert (alert.params["chat_id"], alert.params.get("protect_content")) == (ANA, True)
