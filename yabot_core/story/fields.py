"""The words of a story file: ids of stories, fragments, choices and flags, and their limits.

Ids are slugs, bounded so that an idempotency key naming a fan, a story, a fragment and a choice stays within
the kernel's key length (``MAX_KEY_LENGTH``).
"""

from enum import StrEnum
from typing import Annotated, Final, NewType

from pydantic import AfterValidator

from yabot_core.kernel import checked_slug

StoryId = NewType("StoryId", str)
"""A story's id (``la-llave-del-invernadero``): progress is stored under it."""
FragmentId = NewType("FragmentId", str)
"""A fragment's id, unique within its story: progress stores it, buttons carry it."""
ChoiceId = NewType("ChoiceId", str)
"""A choice's id, unique within its fragment."""
FlagName = NewType("FlagName", str)
"""A flag the story sets and asks about (``conoce-a-lucien``)."""

MAX_STORY_ID: Final = 32
MAX_FRAGMENT_ID: Final = 48
MAX_CHOICE_ID: Final = 32
MAX_FLAG: Final = 48
MAX_TITLE: Final = 100
MAX_TEXT: Final = 3500
"""A fragment's text: Telegram's 4096 characters, less room for Lucien's framing."""
MAX_CHOICE_TEXT: Final = 60
"""A button's words: a line on a phone."""
MAX_SOURCE: Final = 1000
"""A media URL or Telegram file id."""


def _story_id(value: str) -> StoryId:
    return StoryId(checked_slug(value, maximum=MAX_STORY_ID, example="la-llave-del-invernadero"))


def _fragment_id(value: str) -> FragmentId:
    return FragmentId(checked_slug(value, maximum=MAX_FRAGMENT_ID, example="el-vestibulo"))


def _choice_id(value: str) -> ChoiceId:
    return ChoiceId(checked_slug(value, maximum=MAX_CHOICE_ID, example="abrir-la-puerta"))


def _flag(value: str) -> FlagName:
    return FlagName(checked_slug(value, maximum=MAX_FLAG, example="conoce-a-lucien"))


StoryIdField = Annotated[StoryId, AfterValidator(_story_id)]
FragmentIdField = Annotated[FragmentId, AfterValidator(_fragment_id)]
ChoiceIdField = Annotated[ChoiceId, AfterValidator(_choice_id)]
FlagField = Annotated[FlagName, AfterValidator(_flag)]


class Voice(StrEnum):
    """Who tells a fragment: Lucien (the default) or Diana herself."""

    LUCIEN = "lucien"
    DIANA = "diana"


class MediaKind(StrEnum):
    """What a fragment shows before its text; the value is the creator's word."""

    PHOTO = "foto"
    VIDEO = "video"
    VOICE = "voz"
