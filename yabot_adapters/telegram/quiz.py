"""Trivia questions leave as Telegram quiz polls: non-anonymous (or no ``poll_answer`` would come back)."""

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import InputPollOption

from yabot_adapters.telegram.messenger import OutgoingLimiter
from yabot_core.kernel import UnavailableError
from yabot_core.trivia import QuizSender, TriviaQuestion

log = logging.getLogger(__name__)


class TelegramQuizSender(QuizSender):
    """Sends quiz polls through the bot, within the process's outgoing limits.

    A chat that blocked the bot (or never started it) is skipped (``None``); flood control and Telegram's
    other refusals are ``UnavailableError``, which the bus retries: the polls already sent are recorded, so
    the retry sends the rest.
    """

    def __init__(self, bot: Bot, limiter: OutgoingLimiter) -> None:
        self._bot = bot
        self._limiter = limiter

    async def send_quiz(self, chat_id: int, question: TriviaQuestion) -> tuple[str, int] | None:
        await self._limiter.acquire(chat_id)
        try:
            message = await self._bot.send_poll(
                chat_id,
                question=question.text,
                options=[InputPollOption(text=option) for option in question.options],
                type="quiz",
                is_anonymous=False,
                correct_option_ids=[question.correct_option],
                explanation=question.explanation,
            )
        except TelegramForbiddenError:
            log.info("chat %s blocked the bot; trivia %s not sent", chat_id, question.question_id)
            return None
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message.lower():
                log.info("chat %s never started the bot; trivia %s not sent", chat_id, question.question_id)
                return None
            raise UnavailableError("Telegram rechazó la encuesta de trivia.") from exc
        except TelegramRetryAfter as exc:
            self._limiter.pause(exc.retry_after)
            raise UnavailableError("Telegram pide esperar antes de enviar más mensajes.") from exc
        except TelegramAPIError as exc:
            raise UnavailableError("Telegram no responde en este momento.") from exc
        if message.poll is None:  # pragma: no cover  (Telegram always answers a poll with its poll)
            raise UnavailableError("Telegram no devolvió la encuesta enviada.")
        return message.poll.id, message.message_id
