"""A fan's progress through a story, and the scene the adapters show them.

Progress is one record per (fan, story), changed only from the revision it was read at (storage refuses a
stale one with a transient conflict), so two taps racing each other never both move the fan.
"""

from dataclasses import dataclass
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.inventory import ItemId
from yabot_core.kernel import UserId
from yabot_core.story.content import Choice, Fragment, Story
from yabot_core.story.fields import ChoiceId, FlagName, FragmentId, StoryId


class DecisionRecord(BaseModel):
    """One choice a fan made: from which fragment, which choice, where it led, when."""

    model_config = ConfigDict(frozen=True)

    fragment_id: FragmentId
    choice_id: ChoiceId
    target: FragmentId
    decided_at: AwareDatetime


class StoryProgress(BaseModel):
    """Where one fan is in one story.

    ``story_version`` is the story's ``version`` when the fan last moved (a later release may move fans off
    removed fragments); ``revision`` counts the record's own changes (compare-and-set in storage);
    ``visited`` is in order of first visit, ``flags`` sorted.
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    story_id: StoryId
    story_version: int = Field(ge=1)
    current: FragmentId
    visited: tuple[FragmentId, ...]
    decisions: tuple[DecisionRecord, ...] = ()
    flags: tuple[FlagName, ...] = ()
    completed: bool = False
    revision: int = Field(ge=1)
    started_at: AwareDatetime
    updated_at: AwareDatetime

    @property
    def step(self) -> int:
        """How many decisions the fan made: a button carries it, so one pressed twice acts once."""
        return len(self.decisions)


class ChoiceState(StrEnum):
    """Whether a fan may take a choice now."""

    OPEN = "open"
    VIP_LOCKED = "vip_locked"
    """Only VIP fans may: Lucien invites to /vip."""
    LOCKED = "locked"
    """A condition does not hold (``reason`` says which, in Spanish)."""
    UNCHECKABLE = "uncheckable"
    """A condition cannot be checked yet (a mission, before missions exist): closed, never assumed true."""


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """A choice as one fan sees it now."""

    choice: Choice
    state: ChoiceState
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Given:
    """An item a step put in the fan's mochila."""

    item_id: ItemId
    name: str
    quantity: int
    pista: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one step did besides moving the fan: items given, besitos awarded, whether the story ended."""

    given: tuple[Given, ...] = ()
    besitos: int = 0
    completed: bool = False


@dataclass(frozen=True, slots=True)
class Scene:
    """What the fan sees: the fragment they are at, its choices as they stand, and what the last step did."""

    story: Story
    fragment: Fragment
    progress: StoryProgress
    choices: tuple[ChoiceView, ...]
    outcome: Outcome = Outcome()
