"""Events the story publishes; missions, achievements and notices react to them."""

from typing import ClassVar

from yabot_core.inventory import ItemId
from yabot_core.kernel import Event, UserId
from yabot_core.story.fields import ChoiceId, FragmentId, StoryId


class StoryEvent(Event):
    """Base of the story's events: one fan moved in one story."""

    user_id: UserId
    story_id: StoryId


class DecisionMade(StoryEvent):
    """The fan took ``choice_id`` at ``fragment_id`` (their decision number ``step``, from 1)."""

    event_type: ClassVar[str] = "story.decision_made"

    fragment_id: FragmentId
    choice_id: ChoiceId
    target: FragmentId
    step: int


class FragmentUnlocked(StoryEvent):
    """The fan reached a fragment for the first time."""

    event_type: ClassVar[str] = "story.fragment_unlocked"

    fragment_id: FragmentId
    vip: bool = False


class HintUnlocked(StoryEvent):
    """The story put a pista in the fan's mochila."""

    event_type: ClassVar[str] = "story.hint_unlocked"

    fragment_id: FragmentId
    item_id: ItemId


class NarrativeCompleted(StoryEvent):
    """The fan reached an ending of the story."""

    event_type: ClassVar[str] = "story.narrative_completed"

    ending: FragmentId
    decisions: int
