"""The story: decisions/s through the core; a /historia tap's answer time through aiogram beside bare aiogram.

Both run on the product's own composition (``build_container``, the shipped story and catalog, as ``yabot
run`` loads them). Decisions: N fans at once, each taking :data:`PATH` through ``Narrative.decide`` (each
decision one unit of work: progress, besitos, pistas and events together); every fan must end where the path
ends, having made every decision. Taps: one fan's button press after another, each handed to the dispatcher
(``dp.feed_update`` returns once the press was answered, the old buttons removed and the next scene sent,
over real HTTP to the fake Bot API server); the reference is a bare aiogram handler making the same three
calls with constant texts.
"""

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Any, Final

from aiogram import Bot, Dispatcher, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from benchmarks.product import FIRST_NAME, ProductStorage, product
from benchmarks.stats import OpsRun, clean_heap
from yabot_adapters.telegram.fake_api import bot_user
from yabot_adapters.telegram.keyboards.story import StoryChoice, ref
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.story import StoryModule
from yabot_app.modules.users import UsersModule
from yabot_core.kernel import UserId
from yabot_core.users import UserProfile

STORY: Final = "el-invernadero"
PATH: Final = (
    ("umbral", "entrar"),
    ("vestibulo", "musica"),
    ("salon-de-musica", "reloj"),
    ("reloj-de-pared", "volver"),
    ("salon-de-musica", "volver"),
    ("vestibulo", "biblioteca"),
    ("biblioteca", "estante"),
    ("estanteria-alta", "bajar"),
    ("biblioteca", "volver"),
    ("vestibulo", "jardin"),
)
"""From the door to the garden: besitos on the way, two pistas (each a mochila line and an event)."""
PATH_END: Final = "jardin"

LOOP: Final = (("vestibulo", "musica"), ("salon-de-musica", "volver"))
"""What a tapping fan does after entering: to the music room and back (nothing is given twice)."""
TAPS_PER_FAN: Final = 20
"""Taps per fan before the next takes over (a fan's progress keeps every decision: a long one grows)."""

BARE_TEXT: Final = "<b>El vestíbulo</b>\n\nUna escalera de mármol, dos puertas y un jardín al fondo."


class LostDecisionsError(AssertionError):
    """A run ended with a fan elsewhere than the path leads: the figure is worthless."""


async def decisions(storage: ProductStorage, *, fans: int) -> OpsRun:
    """``fans`` fans at once, each taking :data:`PATH` (started untimed); decisions over wall time.

    Raises:
        LostDecisionsError: a fan is not at the path's end with every decision recorded.
    """
    async with product(storage) as container:
        modules = container.modules()
        narrative = modules.get(StoryModule).narrative
        directory = modules.get(UsersModule).directory
        users = [UserId(n) for n in range(1, fans + 1)]
        for user in users:
            await directory.register(UserProfile(user_id=user, first_name=FIRST_NAME, language_code="es"))
        await asyncio.gather(*(narrative.scene(user, STORY) for user in users))

        async def one_fan(user: UserId) -> None:
            for step, (fragment, choice) in enumerate(PATH):
                await narrative.decide(user, STORY, fragment, choice, step=step)

        clean_heap()
        started = time.perf_counter()
        await asyncio.gather(*(one_fan(user) for user in users))
        seconds = time.perf_counter() - started
        wrong = []
        for user in users:
            progress = await narrative.progress(user, STORY)
            if progress is None or progress.current != PATH_END or progress.step != len(PATH):
                wrong.append(f"fan {user}: {progress}")
        if wrong:
            raise LostDecisionsError(f"{len(wrong)} of {fans} fans off the path: {wrong[:2]}")
    return OpsRun(operations=fans * len(PATH), seconds=seconds)


@dataclass(frozen=True, slots=True)
class TapRun:
    """One run's answer times of every tap, in milliseconds: the product's and the bare handler's."""

    ours_ms: list[float]
    bare_ms: list[float]


def bare_dispatcher() -> Dispatcher:
    """The reference: answer the press, drop the old buttons, send a constant scene with one button."""
    router = Router(name="bench.bare-story")
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Ir al salón de música", callback_data="bare")]]
    )

    async def answer(callback: CallbackQuery, bot: Bot) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=None)
        await bot.send_message(callback.from_user.id, BARE_TEXT, reply_markup=keyboard)

    router.callback_query.register(answer)
    dp = Dispatcher(name="bench-bare-story")
    dp.include_router(router)
    return dp


_presses = itertools.count(1)


def _press(server: FakeTelegramServer, user: UserId, data: str) -> dict[str, Any]:
    """A callback query update: ``user`` pressed a button carrying ``data`` under a bot message."""
    number = next(_presses)
    chat = {"id": user, "type": "private", "first_name": FIRST_NAME}
    return {
        "update_id": server.next_update_id(),
        "callback_query": {
            "id": f"press-{number}",
            "from": {"id": user, "is_bot": False, "first_name": FIRST_NAME},
            "chat_instance": f"ci-{user}",
            "message": {
                "message_id": 10_000 + number,
                "date": int(time.time()),
                "chat": chat,
                "from": bot_user(server.bot_id, server.bot_first_name, server.bot_username),
                "text": "…",
            },
            "data": data,
        },
    }


def _tap_data(taps: int) -> list[tuple[UserId, str]]:
    """Who presses what, in order: each fan enters, then loops, :data:`TAPS_PER_FAN` taps in all."""
    pressed: list[tuple[UserId, str]] = []
    for fan in itertools.count(1):
        walk = [PATH[0], *itertools.islice(itertools.cycle(LOOP), TAPS_PER_FAN - 1)]
        for step, (fragment, choice) in enumerate(walk):
            data = StoryChoice(story=ref(STORY), fragment=ref(fragment), choice=ref(choice), step=step)
            pressed.append((UserId(fan), data.pack()))
            if len(pressed) == taps:
                return pressed
    raise AssertionError  # pragma: no cover  (the loop above is endless)


async def _timed_taps(
    dp: Dispatcher, bot: Bot, server: FakeTelegramServer, pressed: list[tuple[UserId, str]]
) -> list[float]:
    updates = [
        Update.model_validate(_press(server, user, data), context={"bot": bot}) for user, data in pressed
    ]
    answered = len(server.calls("answerCallbackQuery"))
    clean_heap()
    times = []
    for update in updates:
        started = time.perf_counter()
        await dp.feed_update(bot, update)
        times.append((time.perf_counter() - started) * 1000)
    answers = server.calls("answerCallbackQuery")[answered:]
    refused = [call.params.get("text") for call in answers if call.params.get("show_alert")]
    if len(answers) != len(updates) or refused:
        msg = f"{len(updates)} taps, {len(answers)} answered; refused: {refused[:2]!r}"
        raise AssertionError(msg)
    return times


async def taps(storage: ProductStorage, *, taps: int) -> TapRun:
    """``taps`` presses through the product's dispatcher, then as many through the bare one; times each."""
    pressed = _tap_data(taps)
    async with (
        FakeTelegramServer(known_chats_only=False) as server,
        product(storage, bot_token=server.token, telegram_api_url=server.base_url) as container,
    ):
        modules = container.modules()
        narrative = modules.get(StoryModule).narrative
        directory = modules.get(UsersModule).directory
        for user in sorted({user for user, _ in pressed}):
            await directory.register(UserProfile(user_id=user, first_name=FIRST_NAME, language_code="es"))
            await narrative.scene(user, STORY)  # the fan opened /historia: at the door
        ours = container.dispatcher()
        bot = container.bot()
        try:
            bare_ms = await _timed_taps(bare_dispatcher(), bot, server, pressed)
            ours_ms = await _timed_taps(ours, bot, server, pressed)
        finally:
            await bot.session.close()
        sent = [call for call in server.calls("sendMessage") if call.ok]
        if len(sent) != 2 * taps:
            msg = f"{2 * taps} scenes expected, {len(sent)} sent"
            raise AssertionError(msg)
    return TapRun(ours_ms=ours_ms, bare_ms=bare_ms)
