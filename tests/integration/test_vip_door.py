"""The VIP channel's door through the fake Bot API server, with a fake clock: links, reminders, expiry."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.telegram_world import GUARD, World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import (
    RECONCILE_ACTION,
    RECONCILE_TIMER,
    SubscriptionService,
    SubscriptionStatus,
    UserAccessChecked,
)

VIP_CHANNEL = -1009876543210
ANA, PEDRO = UserId(4242), UserId(4343)
OPERATOR = Actor.operator("diana")


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server, vip_channel_id=VIP_CHANNEL)
    yield world
    await world.close()


def service_of(world: World) -> SubscriptionService:
    return world.container.modules().get(SubscriptionsModule).service


async def settle(world: World) -> None:
    """Fire what is due and deliver what it causes, until nothing is left (timers, then events, ...)."""
    ticker = world.container.ticker()
    for _ in range(10):
        fired = await ticker.fire_due()
        delivered = await world.bus.deliver_pending()
        if not fired and not delivered:
            return
    msg = "timers and events kept coming"
    raise AssertionError(msg)


def methods(server: FakeTelegramServer, *names: str) -> list[str]:
    wanted = {name.lower() for name in names}
    return [call.method for call in server.sent if call.method.lower() in wanted]


async def grant(world: World, days: int, key: str, user: UserId = ANA) -> datetime:
    change = await service_of(world).grant(user, days=days, actor=OPERATOR, idempotency_key=key)
    await settle(world)
    return change.subscription.vip_until


async def at(world: World, clock: FakeClock, moment: datetime) -> None:
    clock.set(moment)
    await settle(world)


class TestExpiry:
    async def test_grant_link_reminders_expiry_and_removal(
        self, world: World, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """A grant sends a personal link; reminders at 72 h and 24 h, once; at the end ban, unban, goodbye."""
        until = await grant(world, 30, "g1")
        (link_call,) = server.calls("createChatInviteLink")
        assert link_call.params["member_limit"] == 1
        assert link_call.params["name"] == f"vip-{ANA}"
        (invite,) = await server.wait_for_messages(ANA, 1, timeout=GUARD)
        assert "t.me/+fake" in invite

        await at(world, clock, until - timedelta(hours=72))
        texts = await server.wait_for_messages(ANA, 2, timeout=GUARD)
        assert "tres días" in texts[-1]
        await at(world, clock, until - timedelta(hours=30))
        assert len(server.messages(ANA)) == 2  # nothing between the reminders

        await at(world, clock, until - timedelta(hours=24))
        texts = await server.wait_for_messages(ANA, 3, timeout=GUARD)
        assert "mañana" in texts[-1]

        assert methods(server, "banChatMember") == []
        await at(world, clock, until)
        texts = await server.wait_for_messages(ANA, 4, timeout=GUARD)
        assert "llegado a su fin" in texts[-1]
        assert methods(server, "banChatMember", "unbanChatMember") == ["banChatMember", "unbanChatMember"]
        ban, unban = server.calls("banChatMember")[0], server.calls("unbanChatMember")[0]
        assert ban.params["chat_id"] == unban.params["chat_id"] == VIP_CHANNEL
        assert ban.params["user_id"] == unban.params["user_id"] == ANA
        status = await service_of(world).status(ANA)
        assert status is not None
        assert status.status(clock.now()) is SubscriptionStatus.ENDED

        await at(world, clock, until + timedelta(days=3))
        assert len(server.messages(ANA)) == 4
        assert len(server.calls("banChatMember")) == 1

    async def test_renewal_moves_the_reminders_and_the_expiry(
        self, world: World, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """Renewed before the 72 h reminder: no reminder nor removal at the old end; both at the new one."""
        first_end = await grant(world, 30, "g1")
        await server.wait_for_messages(ANA, 1, timeout=GUARD)
        server.channels.statuses[VIP_CHANNEL, ANA] = "member"  # she came in through her link
        await at(world, clock, first_end - timedelta(hours=80))
        new_end = await grant(world, 30, "g2")
        assert new_end == first_end + timedelta(days=30)
        assert len(server.calls("createChatInviteLink")) == 1  # she is in: an extension needs no new link

        await at(world, clock, first_end + timedelta(hours=1))
        assert len(server.messages(ANA)) == 1
        assert server.calls("banChatMember") == []

        await at(world, clock, new_end - timedelta(hours=72))
        texts = await server.wait_for_messages(ANA, 2, timeout=GUARD)
        assert "tres días" in texts[-1]
        await at(world, clock, new_end)  # past the 24 h reminder too: too late for it, so it is not said
        texts = await server.wait_for_messages(ANA, 3, timeout=GUARD)
        assert "llegado a su fin" in texts[-1]
        assert len(server.calls("banChatMember")) == 1

    async def test_a_renewal_between_reminders_cancels_the_second(
        self, world: World, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """Renewed after the 72 h reminder: the 24 h one of the old end never comes."""
        first_end = await grant(world, 10, "g1")
        server.channels.statuses[VIP_CHANNEL, ANA] = "member"
        await at(world, clock, first_end - timedelta(hours=72))
        await server.wait_for_messages(ANA, 2, timeout=GUARD)
        await grant(world, 10, "g2")
        await at(world, clock, first_end)
        assert len(server.messages(ANA)) == 2
        assert server.calls("banChatMember") == []

    async def test_a_renewal_outside_the_channel_brings_a_new_link(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """A VIP who never came in (their link lapsed) gets a fresh link when they renew."""
        await grant(world, 30, "g1")
        await grant(world, 30, "g2")
        assert len(server.calls("createChatInviteLink")) == 2
        texts = await server.wait_for_messages(ANA, 2, timeout=GUARD)
        assert "t.me/+fake" in texts[-1]

    async def test_a_fan_who_blocked_the_bot_is_removed_all_the_same(
        self, world: World, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """Blocking the bot does not keep anyone in the channel: the ban goes out, the goodbye is skipped."""
        until = await grant(world, 1, "g1")
        server.block(ANA)
        await at(world, clock, until)
        assert methods(server, "banChatMember", "unbanChatMember") == ["banChatMember", "unbanChatMember"]
        assert len(server.messages(ANA)) == 1  # the invitation, before the block; no goodbye

    async def test_an_admin_of_the_channel_is_never_removed(
        self, world: World, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """The channel's admins stay, VIP or not."""
        server.channels.statuses[VIP_CHANNEL, ANA] = "administrator"
        until = await grant(world, 1, "g1")
        await at(world, clock, until)
        assert server.calls("banChatMember") == []

    async def test_a_revocation_shows_the_fan_out_at_once(
        self, world: World, server: FakeTelegramServer, clock: FakeClock
    ) -> None:
        """An admin's revoke closes the door now; the expiry timer it left does nothing later."""
        until = await grant(world, 5, "g1")
        await service_of(world).revoke(ANA, actor=OPERATOR, idempotency_key="r1")
        await settle(world)
        assert methods(server, "banChatMember", "unbanChatMember") == ["banChatMember", "unbanChatMember"]
        await at(world, clock, until)
        assert len(server.calls("banChatMember")) == 1


class TestLinks:
    async def test_a_link_used_by_someone_else_is_revoked_and_they_removed(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """Pedro joins through Ana's link: the link is revoked and Pedro shown out; Ana's own join is fine."""
        await world.start_polling()
        await grant(world, 30, "g1")
        link = next(iter(server.channels.links))
        update = server.feed(server.chat_member_update(VIP_CHANNEL, PEDRO, link=link))
        await server.wait_for_call("unbanChatMember", timeout=GUARD)
        assert server.channels.links[link]["is_revoked"]
        assert server.calls("banChatMember")[0].params["user_id"] == PEDRO
        await server.wait_for_confirmation(update["update_id"], timeout=GUARD)

        calls = len(server.sent)
        own = server.feed(server.chat_member_update(VIP_CHANNEL, ANA, link=link))
        await server.wait_for_confirmation(own["update_id"], timeout=GUARD)
        assert [call.method for call in server.sent[calls:]] == ["getUpdates"] * (len(server.sent) - calls)


class TestJoinRequests:
    async def test_a_vip_is_approved_and_anyone_else_declined_with_the_way_to_buy(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Join-request mode: the link asks (no member limit); VIP approved, others declined and told."""
        world = World(clock, server, vip_channel_id=VIP_CHANNEL, vip_join_requests=True)
        try:
            await world.start_polling()
            await grant(world, 30, "g1")
            (link_call,) = server.calls("createChatInviteLink")
            assert link_call.params["creates_join_request"] is True
            assert "member_limit" not in link_call.params

            server.feed(server.join_request_update(VIP_CHANNEL, ANA))
            approved = await server.wait_for_call("approveChatJoinRequest", timeout=GUARD)
            assert approved.params["user_id"] == ANA
            assert server.channels.status(VIP_CHANNEL, ANA) == "member"

            server.feed(server.join_request_update(VIP_CHANNEL, PEDRO))
            declined = await server.wait_for_call("declineChatJoinRequest", timeout=GUARD)
            assert declined.params["user_id"] == PEDRO
            (explanation,) = await server.wait_for_messages(PEDRO, 1, timeout=GUARD)
            assert "/vip" in explanation
            assert server.calls("approveChatJoinRequest")[-1].params["user_id"] == ANA
        finally:
            await world.close()


async def test_without_a_vip_channel_the_door_stays_shut(
    clock: FakeClock, server: FakeTelegramServer
) -> None:
    """No YABOT_VIP_CHANNEL_ID: VIP still expires and Lucien says goodbye, but nobody is invited or banned."""
    world = World(clock, server)
    try:
        until = await grant(world, 1, "g1")
        await at(world, clock, until)
        (goodbye,) = await server.wait_for_messages(ANA, 1, timeout=GUARD)
        assert "llegado a su fin" in goodbye
        assert methods(server, "createChatInviteLink", "banChatMember") == []
    finally:
        await world.close()


class TestReconciliation:
    """The periodic check of who is in the channel against who is VIP."""

    async def test_members_without_vip_are_shown_out_and_written_down(
        self, server: FakeTelegramServer
    ) -> None:
        """Ana (VIP) stays, Pedro (let in by hand) goes, Carla (an admin now) stays, Luis (gone) is noted."""
        # The fake server dates updates by the wall clock: start the fake clock there, so sightings and
        # the reconciliation's own notes follow one time line, as they do in production.
        clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
        world = World(clock, server, vip_channel_id=VIP_CHANNEL)
        carla, luis = UserId(4444), UserId(4545)
        checks: list[UserAccessChecked] = []

        async def checked(event: UserAccessChecked) -> None:
            checks.append(event)

        world.bus.subscribe(UserAccessChecked, checked, name="test.access_checked")
        try:
            await world.start_polling()
            await grant(world, 30, "g1")
            link = next(iter(server.channels.links))
            joins = [server.chat_member_update(VIP_CHANNEL, ANA, link=link)]
            joins += [server.chat_member_update(VIP_CHANNEL, fan) for fan in (PEDRO, carla, luis)]
            for update in joins:
                server.feed(update)
            await server.wait_for_confirmation(joins[-1]["update_id"], timeout=GUARD)
            server.channels.statuses[VIP_CHANNEL, carla] = "administrator"  # promoted since
            server.channels.statuses[VIP_CHANNEL, luis] = "left"  # left while the bot was away

            module = world.container.modules().get(SubscriptionsModule)
            assert module.schedule is not None
            await module.schedule()
            await at(world, clock, clock.now() + timedelta(seconds=module.reconcile_every))

            bans = server.calls("banChatMember")
            assert [call.params["user_id"] for call in bans] == [PEDRO]
            assert [call.params["user_id"] for call in server.calls("unbanChatMember")] == [PEDRO]
            assert module.roll is not None
            assert [s.user_id for s in await module.roll.inside()] == [ANA, carla]
            audit = world.container.modules().get(AuditModule).log
            (entry,) = (await audit.page(target=f"user:{PEDRO}")).entries
            assert entry.action == RECONCILE_ACTION
            assert str(entry.actor) == "system:yabot"
            assert {(e.user_id, e.inside, e.removed) for e in checks} == {
                (PEDRO, True, True),
                (carla, True, False),
                (luis, False, False),
            }
            (following,) = await world.storage.timer_store.pending(limit=5, kind=RECONCILE_TIMER)
            assert clock.now() < following.due_at <= clock.now() + timedelta(seconds=module.reconcile_every)
            assert following.due_at.timestamp() % module.reconcile_every == 0  # slots, whoever schedules

            await at(world, clock, following.due_at)  # the next one finds nothing new to do
            assert len(server.calls("banChatMember")) == 1
        finally:
            await world.close()
