"""The story's inline keyboards and their typed callback data.

A button carries its story, fragment and choice, and the fan's step when it was shown (so a press that
arrives twice, or on an old message, is refused by the core as stale). Ids of up to :data:`RAW_ID_LIMIT`
characters travel as they are; a longer one travels as ``~`` and a 48-bit BLAKE2b digest in base64url
(9 characters), which :class:`StoryRefs` resolves against the library. Anything that resolves to nothing is a
forged or stale button: the router refuses it.
"""

import base64
import hashlib
from html import unescape
from typing import Final

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from yabot_core.kernel import Phrasebook
from yabot_core.story import ChoiceState, Scene, Story, StoryLibrary

RAW_ID_LIMIT: Final = 14
"""The longest id carried as it is: three of them, a step and the separators fit in Telegram's 64 bytes."""

_DIGEST_MARK: Final = "~"


class StoryChoice(CallbackData, prefix="st"):
    """Take ``choice`` at ``fragment`` of ``story``, as shown at the fan's ``step``."""

    story: str
    fragment: str
    choice: str
    step: int


class StoryRestart(CallbackData, prefix="sr"):
    """Begin a finished story again."""

    story: str


def _digest(value: str) -> str:
    raw = hashlib.blake2b(value.encode(), digest_size=6).digest()
    return _DIGEST_MARK + base64.urlsafe_b64encode(raw).decode("ascii")


def ref(value: str) -> str:
    """What the callback data carries for an id."""
    return value if len(value) <= RAW_ID_LIMIT else _digest(value)


class StoryRefs:
    """Resolves the references buttons carry back to ids, story by story and fragment by fragment.

    Raises:
        ValueError: two long ids in one scope share a digest (at 48 bits, not in a creator's lifetime).
    """

    def __init__(self, library: StoryLibrary) -> None:
        self._refs: dict[tuple[tuple[str, ...], str], str] = {}
        for story in library:
            self._add((), story.id)
            for fragment in story:
                self._add((story.id,), fragment.id)
                for choice in fragment.choices:
                    self._add((story.id, fragment.id), choice.id)

    def _add(self, scope: tuple[str, ...], value: str) -> None:
        key = (scope, ref(value))
        if self._refs.setdefault(key, value) != value:
            msg = f"{self._refs[key]!r} and {value!r} share a callback digest"
            raise ValueError(msg)

    def resolve(self, data: StoryChoice) -> tuple[str, str, str] | None:
        """The story, fragment and choice ids a button names; ``None`` if any is unknown."""
        story = self._refs.get(((), data.story))
        if story is None:
            return None
        fragment = self._refs.get(((story,), data.fragment))
        if fragment is None:
            return None
        choice = self._refs.get(((story, fragment), data.choice))
        return None if choice is None else (story, fragment, choice)

    def story(self, reference: str) -> str | None:
        """The story id a restart button names, or ``None``."""
        return self._refs.get(((), reference))


def scene_keyboard(texts: Phrasebook, scene: Scene) -> InlineKeyboardMarkup | None:
    """A button per choice, 🔒 before those the fan cannot take yet; at an ending, «Empezar de nuevo»."""
    story, fragment = scene.story, scene.fragment
    if scene.progress.completed:
        data = StoryRestart(story=ref(story.id)).pack()
        button = InlineKeyboardButton(text=_plain(texts.render("story-restart")), callback_data=data)
        return InlineKeyboardMarkup(inline_keyboard=[[button]])
    rows = []
    step = scene.progress.step  # 16 bytes are left for it: no fan will need them all
    for view in scene.choices:
        text = view.choice.text
        if view.state is not ChoiceState.OPEN:
            text = _plain(texts.render("story-choice-locked", texto=text))
        pressed = StoryChoice(
            story=ref(story.id), fragment=ref(fragment.id), choice=ref(view.choice.id), step=step
        )
        rows.append([InlineKeyboardButton(text=text, callback_data=pressed.pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _plain(rendered: str) -> str:
    """Button texts are plain text: undo the catalog's escaping of the arguments."""
    return unescape(rendered)


MAX_STEP_CHECKED: Final = 999_999
"""The step ``yabot story check`` packs buttons with: a million decisions in one story is beyond any fan."""


def unpackable_buttons(story: Story, *, step: int = MAX_STEP_CHECKED) -> list[tuple[int, int]]:
    """``(fragment n.º, choice n.º)`` of every button whose callback data Telegram would refuse (> 64 bytes).

    Packs each button exactly as :func:`scene_keyboard` does, so the check is the keyboard's own.
    """
    refused = []
    for index, fragment in enumerate(story):
        for place, choice in enumerate(fragment.choices):
            pressed = StoryChoice(
                story=ref(story.id), fragment=ref(fragment.id), choice=ref(choice.id), step=step
            )
            try:
                pressed.pack()
            except ValueError:  # aiogram refuses data over Telegram's limit, or with its separator inside
                refused.append((index, place))
    return refused
