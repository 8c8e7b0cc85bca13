"""The VIP channel's Bot API adapter against the fake server: what it asks, and how refusals are told."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot

from yabot_adapters.telegram import OutgoingLimiter, create_bot
from yabot_adapters.telegram.channel import TelegramVipChannel
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import UnavailableError, UserId
from yabot_core.subscriptions import ChannelRightsError

CHANNEL = -1001112223334
ANA = UserId(31)


@pytest.fixture(name="bot")
async def bot_fixture(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = create_bot(server.token, api_url=server.base_url)
    yield bot
    await bot.session.close()


@pytest.fixture(name="channel")
def channel_fixture(bot: Bot) -> TelegramVipChannel:
    return TelegramVipChannel(bot, CHANNEL, OutgoingLimiter())


async def test_removal_is_a_ban_then_an_unban_only_if_banned(
    channel: TelegramVipChannel, server: FakeTelegramServer
) -> None:
    """The fan leaves and is not left banned: they may come back with a new link."""
    server.channels.statuses[CHANNEL, ANA] = "member"
    assert await channel.is_inside(ANA)
    await channel.remove(ANA)
    assert [call.method for call in server.sent] == ["getChatMember", "banChatMember", "unbanChatMember"]
    assert server.calls("unbanChatMember")[0].params["only_if_banned"] is True
    assert server.channels.status(CHANNEL, ANA) == "left"
    assert not await channel.is_inside(ANA)
    assert not await channel.is_admin(ANA)


async def test_links_for_one_member_or_asking_to_join(
    channel: TelegramVipChannel, server: FakeTelegramServer
) -> None:
    """A single-use link has member_limit 1; a join-request link none (Telegram allows one or the other)."""
    expires = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=1)
    single = await channel.invite(ANA, expires_at=expires, join_request=False)
    asking = await channel.invite(ANA, expires_at=expires, join_request=True)
    assert server.channels.links[single]["member_limit"] == 1
    assert server.channels.links[single]["name"] == f"vip-{ANA}"
    assert "member_limit" not in server.channels.links[asking]
    assert server.channels.links[asking]["creates_join_request"] is True
    await channel.revoke_invite(single)
    assert server.channels.links[single]["is_revoked"] is True


async def test_a_bot_without_rights_is_told_in_spanish(
    channel: TelegramVipChannel, server: FakeTelegramServer
) -> None:
    """Telegram's "not enough rights" becomes ChannelRightsError, saying which right is missing."""
    server.fail("banChatMember", 400, "Bad Request: not enough rights to restrict/unrestrict chat member")
    with pytest.raises(ChannelRightsError, match="expulsar") as caught:
        await channel.remove(ANA)
    assert caught.value.code == "sin_permisos_en_el_canal"
    server.clear_failures()
    server.fail("createChatInviteLink", 403, "Forbidden: bot is not a member of the channel chat")
    with pytest.raises(ChannelRightsError):
        await channel.invite(ANA, expires_at=datetime(2030, 1, 1, tzinfo=UTC), join_request=False)


async def test_flood_control_and_outages_are_retried_later(
    channel: TelegramVipChannel, server: FakeTelegramServer
) -> None:
    """A short 429 is waited out in place; a long one, or a 5xx, is UnavailableError (the bus retries)."""
    server.fail("banChatMember", 429, "Too Many Requests: retry after 1", retry_after=1, times=1)
    await channel.remove(ANA)
    assert len(server.calls("banChatMember")) == 2
    server.fail("banChatMember", 429, "Too Many Requests: retry after 60", retry_after=60, times=1)
    with pytest.raises(UnavailableError, match="60"):
        await channel.remove(ANA)
    server.fail("unbanChatMember", 502, "Bad Gateway", times=1)
    with pytest.raises(UnavailableError):
        await channel.remove(ANA)


async def test_a_request_already_handled_is_fine(
    channel: TelegramVipChannel, server: FakeTelegramServer
) -> None:
    """Approving a join request twice (a redelivered handler) does not fail."""
    server.channels.requests.add((CHANNEL, ANA))
    await channel.approve(ANA)
    await channel.approve(ANA)
    assert server.channels.status(CHANNEL, ANA) == "member"
