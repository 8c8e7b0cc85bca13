"""Trivia in the bot: /trivia turns the quiz polls on or off for a fan; ``poll_answer`` carries the answers.

Telegram reports answers only for non-anonymous polls the bot sent, in private chats and groups, and the
update has no chat: the poll's id says which question it was (the mapping lives in storage).
"""

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message, PollAnswer

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_core.kernel import Phrasebook, UserId
from yabot_core.trivia import Trivia
from yabot_core.users import Registration


def setup() -> Router:
    """Return the trivia router: /trivia in private; every poll answer."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(toggle_trivia, Command("trivia"))
    router.poll_answer.register(poll_answer)
    return router


async def toggle_trivia(
    message: Message, registration: Registration, trivia: Trivia, texts: Phrasebook
) -> None:
    """Turn the trivia on for a fan who has it off, and off for one who has it on."""
    user = registration.user.user_id
    fan = await trivia.set_opt_in(user, enabled=not await trivia.opted_in(user))
    await message.answer(texts.render("trivia-on") if fan.enabled else texts.render("trivia-off"))


async def poll_answer(answer: PollAnswer, trivia: Trivia) -> None:
    """Store the fan's answer (rewarded once if right and in time); answers to other polls are ignored."""
    if answer.user is None:  # an anonymous voter (a channel): Telegram names no one, nothing to reward
        return
    await trivia.answer(answer.poll_id, UserId(answer.user.id), answer.option_ids)
