"""/historia: the fan's scene, a button per choice, the VIP gate, the VIP passages protected from forwarding.

Each scene is a new message (a story reads best as a thread, and a VIP passage's protection is set when a
message is sent, never by editing); the pressed message loses its buttons. A press is answered (the spinner
stops); a refusal from the core (a stale or forged button, a condition not met) reaches the errors router,
which answers it with Lucien's alert. The VIP gate gets its own alert, inviting to /vip.
"""

import contextlib

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.story import StoryChoice, StoryRefs, StoryRestart, scene_keyboard
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import ALERT_LIMIT, paragraphs, plain_text
from yabot_core.kernel import Phrasebook
from yabot_core.story import (
    ChoiceState,
    MediaKind,
    Narrative,
    NoStoryError,
    Scene,
    StaleChoiceError,
    VipRequiredError,
    Voice,
)
from yabot_core.users import Registration


def setup() -> Router:
    """Return the story router (private chats only: a fan reads alone)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.callback_query.filter(PrivateChat(), registered)
    router.message.register(open_story, Command("historia"))
    router.callback_query.register(choose, StoryChoice.filter())
    router.callback_query.register(restart, StoryRestart.filter())
    return router


async def open_story(
    message: Message, registration: Registration, narrative: Narrative, texts: Phrasebook, bot: Bot
) -> None:
    """The scene where the fan is (the story's start, for a new reader)."""
    user = registration.user
    try:
        scene = await narrative.scene(user.user_id)
    except NoStoryError:
        await message.answer(texts.render("story-no-story", nombre=user.display_name))
        return
    await _send(bot, texts, user.user_id, user.display_name, scene)


async def choose(
    callback: CallbackQuery,
    *,
    callback_data: StoryChoice,
    registration: Registration,
    narrative: Narrative,
    story_refs: StoryRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Take the pressed choice, then show where it led."""
    user = registration.user
    names = story_refs.resolve(callback_data)
    if names is None:
        raise StaleChoiceError  # a button of a story or fragment that no longer exists, or a forged one
    story_id, fragment_id, choice_id = names
    try:
        scene = await narrative.decide(
            user.user_id, story_id, fragment_id, choice_id, step=callback_data.step
        )
    except VipRequiredError:
        alert = plain_text(texts.render("story-vip-gate", nombre=user.display_name))
        await callback.answer(alert[:ALERT_LIMIT], show_alert=True)
        return
    await callback.answer()
    await _clear_buttons(callback)
    await _send(bot, texts, user.user_id, user.display_name, scene)


async def restart(
    callback: CallbackQuery,
    *,
    callback_data: StoryRestart,
    registration: Registration,
    narrative: Narrative,
    story_refs: StoryRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Begin a finished story again, at its start."""
    user = registration.user
    story_id = story_refs.story(callback_data.story)
    if story_id is None:
        raise StaleChoiceError
    scene = await narrative.restart(user.user_id, story_id)
    await callback.answer()
    await _clear_buttons(callback)
    await _send(bot, texts, user.user_id, user.display_name, scene)


# --- rendering ------------------------------------------------------------------------------------------


def scene_text(texts: Phrasebook, scene: Scene, name: str) -> str:
    """The scene's message: what the last step gave, the fragment, and the ending's farewell."""
    fragment = scene.fragment
    given = []
    for item in scene.outcome.given:
        if item.pista:
            given.append(texts.render("story-given-pista", objeto=item.name))
        else:
            given.append(texts.render("story-given-objeto", objeto=item.name, cantidad=item.quantity))
    if scene.outcome.besitos:
        given.append(texts.render("story-given-besitos", besitos=scene.outcome.besitos))
    invite = ""
    if any(view.state is ChoiceState.VIP_LOCKED for view in scene.choices):
        invite = texts.render("story-scene-vip-invite", nombre=name)
    ending = ""
    if scene.progress.completed:
        ending = texts.render("story-scene-ending", historia=scene.story.header.title, nombre=name)
    return paragraphs(
        texts.render("story-scene-vip") if fragment.vip else "",
        (
            texts.render("story-scene-diana", titulo=fragment.title, texto=fragment.text.strip())
            if fragment.voice is Voice.DIANA
            else texts.render("story-scene", titulo=fragment.title, texto=fragment.text.strip())
        ),
        "\n".join(given),
        invite,
        ending,
    )


async def _send(bot: Bot, texts: Phrasebook, chat_id: int, name: str, scene: Scene) -> None:
    """The fragment's media (if any), then its text and buttons; a VIP passage cannot be forwarded."""
    fragment = scene.fragment
    protect = fragment.vip
    media = fragment.media
    if media is not None:
        if media.kind is MediaKind.PHOTO:
            await bot.send_photo(chat_id, media.source, protect_content=protect)
        elif media.kind is MediaKind.VIDEO:
            await bot.send_video(chat_id, media.source, protect_content=protect)
        else:
            await bot.send_voice(chat_id, media.source, protect_content=protect)
    text = scene_text(texts, scene, name)
    await bot.send_message(chat_id, text, reply_markup=scene_keyboard(texts, scene), protect_content=protect)


async def _clear_buttons(callback: CallbackQuery) -> None:
    """The pressed scene loses its buttons (a message too old to edit keeps them; the core refuses them)."""
    message = callback.message
    if isinstance(message, Message):
        with contextlib.suppress(TelegramBadRequest):  # already without buttons: nothing to tidy
            await message.edit_reply_markup(reply_markup=None)
