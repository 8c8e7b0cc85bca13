"""Scheduled posts reach the channels through here: text, photo, video or album, protected when asked.

Every request waits for the channel's turn in the process's :class:`OutgoingLimiter` (a channel is a chat:
one message a second, and the global budget), and a 429 pauses every sender for Telegram's ``retry_after``.
An album is one ``sendMediaGroup`` (it counts as one request; Telegram answers with one message per item).
Telegram's refusals (a bad file, no rights in the channel) are permanent; an unanswered request may have
been published. Deleting uses ``deleteMessages`` (up to 100 at once; a bot may delete its channel posts
for 48 hours).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Final, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    InputMediaAudio,
    InputMediaDocument,
    InputMediaLivePhoto,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)
from aiohttp import ClientConnectorError

from yabot_adapters.telegram.messenger import MAX_RETRY_AFTER, OutgoingLimiter
from yabot_core.kernel import UnavailableError, UserId
from yabot_core.lucien import DeliveryUncertainError
from yabot_core.posts import (
    ChannelNotConfiguredError,
    ChannelPublisher,
    MediaKind,
    PostChannel,
    PostContent,
    PublishRefusedError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS: Final = 3
DELETE_BATCH: Final = 100
"""``deleteMessages`` takes at most 100 ids."""


class TelegramChannelPublisher(ChannelPublisher):
    """:class:`ChannelPublisher` over the Bot API, for the channels whose ids are configured."""

    def __init__(
        self, bot: Bot, channels: Mapping[PostChannel, int | None], limiter: OutgoingLimiter
    ) -> None:
        self._bot = bot
        self._channels = dict(channels)
        self._limiter = limiter

    async def publish(self, channel: PostChannel, content: PostContent, *, protect: bool) -> Sequence[int]:
        """Publish ``content``; the message ids Telegram gave it."""
        chat_id = self._chat(channel)
        text = content.text or None
        bot = self._bot
        if not content.media:
            message = await self._call(
                chat_id, lambda: bot.send_message(chat_id, content.text, protect_content=protect)
            )
            return [message.message_id]
        if len(content.media) == 1:
            item = content.media[0]
            if item.kind is MediaKind.PHOTO:
                sent = await self._call(
                    chat_id, lambda: bot.send_photo(chat_id, item.file, caption=text, protect_content=protect)
                )
            else:
                sent = await self._call(
                    chat_id, lambda: bot.send_video(chat_id, item.file, caption=text, protect_content=protect)
                )
            return [sent.message_id]
        album: list[
            InputMediaAudio | InputMediaDocument | InputMediaLivePhoto | InputMediaPhoto | InputMediaVideo
        ] = [
            InputMediaPhoto(media=item.file)
            if item.kind is MediaKind.PHOTO
            else InputMediaVideo(media=item.file)
            for item in content.media
        ]
        if text:
            album[0] = album[0].model_copy(update={"caption": text})
        messages: list[Message] = await self._call(
            chat_id, lambda: bot.send_media_group(chat_id, album, protect_content=protect)
        )
        return [message.message_id for message in messages]

    async def delete(self, channel: PostChannel, message_ids: Sequence[int]) -> None:
        """Delete the messages (Telegram ignores ones already gone in a batch)."""
        chat_id = self._chat(channel)
        ids = list(message_ids)
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            await self._call(chat_id, _deleting(self._bot, chat_id, batch), turn=False)

    def _chat(self, channel: PostChannel) -> int:
        chat_id = self._channels.get(channel)
        if chat_id is None:
            raise ChannelNotConfiguredError(str(channel))
        return chat_id

    async def _call(self, chat_id: int, request: Callable[[], Awaitable[T]], *, turn: bool = True) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            if turn:
                await self._limiter.acquire(chat_id)
            try:
                return await request()
            except TelegramRetryAfter as exc:
                self._limiter.pause(exc.retry_after)
                if exc.retry_after > MAX_RETRY_AFTER or attempt == ATTEMPTS:
                    msg = f"Telegram pide esperar {exc.retry_after:g} s antes de publicar."
                    raise UnavailableError(msg) from exc
                log.warning("flood control: all senders wait %s s (channel %s)", exc.retry_after, chat_id)
                if not turn:
                    await asyncio.sleep(exc.retry_after)
            except (TelegramForbiddenError, TelegramBadRequest) as exc:
                raise PublishRefusedError(f"Telegram rechaza la publicación: {exc.message}") from exc
            except TelegramServerError as exc:
                raise UnavailableError("Telegram no responde en este momento.") from exc
            except TelegramNetworkError as exc:
                if isinstance(exc.__cause__, ClientConnectorError):
                    raise UnavailableError("Telegram no responde en este momento.") from exc
                raise DeliveryUncertainError(UserId(abs(chat_id))) from exc
        msg = "unreachable"
        raise AssertionError(msg)


def _deleting(bot: Bot, chat_id: int, batch: list[int]) -> Callable[[], Awaitable[bool]]:
    return lambda: bot.delete_messages(chat_id, batch)
