"""A story as the creator writes it: fragments joined by choices, with conditions and effects.

The field aliases are the Spanish keys of her YAML; code uses the English names. A :class:`Story` is whole by
construction (its graph is checked: see :mod:`yabot_core.story.graph`).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, model_validator

from yabot_core.inventory import YesNo
from yabot_core.kernel import CONTENT_MODEL, unaccented_keys
from yabot_core.story.fields import (
    MAX_CHOICE_TEXT,
    MAX_SOURCE,
    MAX_TEXT,
    MAX_TITLE,
    ChoiceIdField,
    FragmentId,
    FragmentIdField,
    MediaKind,
    StoryId,
    StoryIdField,
    Voice,
)
from yabot_core.story.rules import Condition, Effect, EndStory, VipCondition


def fragment_label(fragment_id: str) -> str:
    """How messages name a fragment: ``fragmento «el-vestibulo»``."""
    return f"fragmento «{fragment_id}»"


class _Content(BaseModel):
    model_config = CONTENT_MODEL

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        return unaccented_keys(data)


class Media(_Content):
    """A photo, video or voice note shown before a fragment's text: a URL or a Telegram file id."""

    kind: MediaKind = Field(alias="tipo")
    source: str = Field(alias="fuente", min_length=1, max_length=MAX_SOURCE)


class Choice(_Content):
    """A button under a fragment: where it leads, what it asks, what it does."""

    id: ChoiceIdField
    text: str = Field(alias="texto", min_length=1, max_length=MAX_CHOICE_TEXT)
    target: FragmentIdField = Field(alias="destino")
    conditions: tuple[Condition, ...] = Field(default=(), alias="condiciones")
    effects: tuple[Effect, ...] = Field(default=(), alias="efectos")

    @property
    def asks_vip(self) -> bool:
        """Whether the choice itself names VIP among its conditions."""
        return any(isinstance(condition, VipCondition) for condition in self.conditions)


class Fragment(_Content):
    """One passage of a story, told by Lucien or Diana, with the choices that leave it.

    A fragment without choices, or one whose entry effects include ``fin``, is an ending.
    """

    id: FragmentIdField
    title: str = Field(alias="titulo", min_length=1, max_length=MAX_TITLE)
    text: str = Field(alias="texto", min_length=1, max_length=MAX_TEXT)
    voice: Voice = Field(default=Voice.LUCIEN, alias="voz")
    media: Media | None = None
    vip: YesNo = False
    tags: tuple[str, ...] = Field(default=(), alias="etiquetas")
    on_entry: tuple[Effect, ...] = Field(default=(), alias="al_entrar")
    choices: tuple[Choice, ...] = Field(default=(), alias="opciones")
    replaces: tuple[FragmentIdField, ...] = Field(default=(), alias="reemplaza")
    """Fragments of an earlier version this one takes the place of: fans who were there move here."""

    @property
    def is_ending(self) -> bool:
        """Whether reaching this fragment completes the story."""
        return not self.choices or any(isinstance(effect, EndStory) for effect in self.on_entry)

    @property
    def label(self) -> str:
        """How messages name this fragment."""
        return fragment_label(self.id)

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with that id, or ``None``."""
        return next((choice for choice in self.choices if choice.id == choice_id), None)


class StoryHeader(_Content):
    """A story file's own fields, besides its fragments."""

    id: StoryIdField
    title: str = Field(alias="titulo", min_length=1, max_length=MAX_TITLE)
    version: int = Field(default=1, ge=1, le=1_000_000)
    start: FragmentIdField = Field(alias="inicio")
    description: str | None = Field(default=None, alias="descripcion", max_length=MAX_TEXT)


@dataclass(frozen=True)
class Story:
    """A whole story: its header and fragments, each id unique, every target known (checked at loading).

    Raises:
        InvalidStoryError: the fragments break a rule of ``check_story`` (every problem listed).
    """

    header: StoryHeader
    fragments: tuple[Fragment, ...]
    _by_id: dict[FragmentId, Fragment] = field(init=False, repr=False, compare=False)
    _successors: dict[FragmentId, Fragment] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from yabot_core.story.errors import InvalidStoryError  # noqa: PLC0415  (errors name stories)
        from yabot_core.story.graph import check_story  # noqa: PLC0415  (the graph reads fragments)

        object.__setattr__(self, "fragments", tuple(self.fragments))
        problems = check_story(self.header, self.fragments)
        if problems:
            raise InvalidStoryError(self.header.id, problems)
        object.__setattr__(self, "_by_id", {fragment.id: fragment for fragment in self.fragments})
        successors = {old: fragment for fragment in self.fragments for old in fragment.replaces}
        object.__setattr__(self, "_successors", successors)

    def successor(self, fragment_id: str) -> Fragment | None:
        """The fragment that names a removed ``fragment_id`` in its ``reemplaza``, or ``None``."""
        return self._successors.get(FragmentId(fragment_id))

    @property
    def id(self) -> StoryId:
        """The story's id."""
        return self.header.id

    @property
    def start(self) -> Fragment:
        """Where every fan begins."""
        return self._by_id[self.header.start]

    def get(self, fragment_id: str) -> Fragment | None:
        """The fragment with that id, or ``None``."""
        return self._by_id.get(FragmentId(fragment_id))

    def __iter__(self) -> Iterator[Fragment]:
        return iter(self.fragments)

    def __len__(self) -> int:
        return len(self.fragments)


@dataclass(frozen=True)
class StoryLibrary:
    """Every story YABOT tells, in order (the first is the one /historia opens for a new fan)."""

    stories: tuple[Story, ...] = ()
    _by_id: dict[StoryId, Story] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stories", tuple(self.stories))
        object.__setattr__(self, "_by_id", {story.id: story for story in self.stories})
        if len(self._by_id) != len(self.stories):
            msg = "two stories share an id"
            raise ValueError(msg)

    def get(self, story_id: str) -> Story | None:
        """The story with that id, or ``None``."""
        return self._by_id.get(StoryId(story_id))

    @property
    def first(self) -> Story | None:
        """The story a new fan is offered."""
        return self.stories[0] if self.stories else None

    def __iter__(self) -> Iterator[Story]:
        return iter(self.stories)

    def __len__(self) -> int:
        return len(self.stories)


def vip_gated(choice: Choice, story: Story) -> bool:
    """Whether a choice is for VIP fans only: it asks VIP, or leads to a VIP fragment."""
    target = story.get(choice.target)
    return choice.asks_vip or (target is not None and target.vip)
