"""Playing a story breadth first over a bounded state space, as the engine would judge each choice.

The state is the fragment, the flags, the items and the visited fragments some condition asks about (the
rest cannot change a judgement). :class:`Tally` keeps what every state said; the checker reads it.
"""

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from yabot_core.inventory import ItemCatalog, ItemId
from yabot_core.kernel import UserId
from yabot_core.story.conditions import judge, unmet
from yabot_core.story.content import Fragment, Story
from yabot_core.story.fields import FlagName, FragmentId
from yabot_core.story.models import ChoiceState, StoryProgress
from yabot_core.story.rules import (
    ClearFlag,
    Effect,
    EndStory,
    FlagSetCondition,
    FlagUnsetCondition,
    GiveItem,
    HasItemCondition,
    SetFlag,
    VisitedCondition,
)

MAX_STATES: Final = 20_000
"""States explored per profile before giving up on completeness (a warning says so)."""

_NOBODY: Final = UserId(1)
_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _State:
    fragment: FragmentId
    flags: frozenset[FlagName]
    items: frozenset[ItemId]
    visited: frozenset[FragmentId]
    completed: bool


@dataclass
class Tally:
    """What all explored states said about each fragment, choice and condition."""

    reached: set[FragmentId] = field(default_factory=set)
    dead_ends: dict[FragmentId, tuple[FragmentId, ...]] = field(default_factory=dict)
    opened: set[tuple[FragmentId, int]] = field(default_factory=set)
    vip_opened: set[tuple[FragmentId, int]] = field(default_factory=set)
    held: set[tuple[FragmentId, int, int]] = field(default_factory=set)
    truncated: bool = False
    states: dict[bool, int] = field(default_factory=dict)


class _Facts:
    """One explored state's mochila and VIP as conditions ask them; missions as a fan could have them."""

    def __init__(self, items: frozenset[ItemId], outside: frozenset[ItemId], vip: bool) -> None:
        self._items, self._outside, self._vip = items, outside, vip

    async def is_vip(self) -> bool:
        return self._vip

    async def held(self, item_id: ItemId) -> int:
        return 1 if item_id in self._items or item_id in self._outside else 0

    async def balance(self) -> int:
        return 10**9  # besitos come from everywhere: a minimum never closes a path for good

    async def completed(self, mission_id: str) -> bool:  # noqa: ARG002  # any mission
        return True  # missions are done outside the story, at any time (the loader checks they exist)


class Player:
    """Plays one story for one profile, breadth first, recording into a shared tally."""

    def __init__(self, story: Story, catalog: ItemCatalog, tally: Tally) -> None:
        self.story, self.catalog, self.tally = story, catalog, tally
        conditions = [c for f in story for ch in f.choices for c in ch.conditions]
        self.flags = {c.flag for c in conditions if isinstance(c, FlagSetCondition | FlagUnsetCondition)}
        self.visits = {c.fragment for c in conditions if isinstance(c, VisitedCondition)}
        asked = {c.item for c in conditions if isinstance(c, HasItemCondition)}
        given = {e.item for f in story for e in _effects(f) if isinstance(e, GiveItem)}
        self.items = self._ingredients(asked)
        self.outside = frozenset(asked - self._combined(frozenset(given)))

    def _ingredients(self, wanted: set[ItemId]) -> frozenset[ItemId]:
        """The items asked about, and everything that combines into one of them."""
        found, pending = set(wanted), list(wanted)
        while pending:
            target = pending.pop()
            for recipe in self.catalog.recipes:
                if recipe.result == target:
                    fresh = set(recipe.ingredients) - found
                    found |= fresh
                    pending.extend(fresh)
        return frozenset(found)

    def _combined(self, items: frozenset[ItemId]) -> frozenset[ItemId]:
        held = set(items)
        changed = True
        while changed:
            changed = False
            for recipe in self.catalog.recipes:
                if set(recipe.ingredients) <= held and recipe.result not in held:
                    held.add(recipe.result)
                    changed = True
        return frozenset(held)

    def _apply(self, effects: Iterable[Effect], flags: set[FlagName], items: set[ItemId]) -> bool:
        ended = False
        for effect in effects:
            if isinstance(effect, SetFlag) and effect.flag in self.flags:
                flags.add(effect.flag)
            elif isinstance(effect, ClearFlag):
                flags.discard(effect.flag)
            elif isinstance(effect, GiveItem) and effect.item in self.items:
                items.add(effect.item)
            elif isinstance(effect, EndStory):
                ended = True
        return ended

    def _enter(
        self, state: _State, target: Fragment, extra: Iterable[Effect], flags: set[FlagName]
    ) -> _State:
        items = set(state.items)
        ended = self._apply(extra, flags, items)
        ended = self._apply(target.on_entry, flags, items) or ended
        visited = state.visited | ({target.id} & self.visits)
        held = self._combined(frozenset(items)) & self.items
        return _State(target.id, frozenset(flags), held, visited, ended or target.is_ending)

    async def play(self, *, vip: bool) -> None:
        """Play every branch from the start."""
        start = self.story.start
        first = self._enter(
            _State(start.id, frozenset(), frozenset(), frozenset(), completed=False), start, (), set()
        )
        parents: dict[_State, _State | None] = {first: None}
        queue = deque([first])
        while queue:
            state = queue.popleft()
            for following in await self._step(state, parents, vip=vip):
                if following not in parents:
                    if len(parents) >= MAX_STATES:
                        self.tally.truncated = True
                        continue
                    parents[following] = state
                    queue.append(following)
        self.tally.states[vip] = len(parents)

    async def _step(self, state: _State, parents: dict[_State, _State | None], *, vip: bool) -> list[_State]:
        tally, fragment = self.tally, self.story.get(state.fragment)
        assert fragment is not None  # noqa: S101  (states only name the story's fragments)
        tally.reached.add(fragment.id)
        if state.completed:
            restart = _State(state.fragment, frozenset(), state.items, state.visited, completed=False)
            return [self._enter(restart, self.story.start, (), set())]
        progress = StoryProgress(
            user_id=_NOBODY,
            story_id=self.story.id,
            story_version=self.story.header.version,
            current=fragment.id,
            visited=tuple(sorted(state.visited)),
            flags=tuple(sorted(state.flags)),
            revision=1,
            started_at=_EPOCH,
            updated_at=_EPOCH,
        )
        facts = _Facts(state.items, self.outside, vip)
        following, way_on = [], False
        for place, choice in enumerate(fragment.choices):
            for number, condition in enumerate(choice.conditions):
                if await unmet(condition, self.story, progress, facts, self.catalog) is None:
                    tally.held.add((fragment.id, place, number))
            view = await judge(self.story, choice, progress, facts, self.catalog)
            if view.state is ChoiceState.VIP_LOCKED:
                way_on = True  # the gate: Lucien invites to /vip, and the VIP profile goes on
            if view.state is not ChoiceState.OPEN:
                continue
            way_on = True
            tally.opened.add((fragment.id, place))
            if vip:
                tally.vip_opened.add((fragment.id, place))
            target = self.story.get(choice.target)
            assert target is not None  # noqa: S101  (a story is whole by construction)
            following.append(self._enter(state, target, choice.effects, set(state.flags)))
        if not way_on and fragment.id not in tally.dead_ends:
            tally.dead_ends[fragment.id] = _path(state, parents)
        return following


def _path(state: _State, parents: dict[_State, _State | None]) -> tuple[FragmentId, ...]:
    steps: list[FragmentId] = []
    current: _State | None = state
    while current is not None:
        if not steps or steps[-1] != current.fragment:
            steps.append(current.fragment)
        current = parents.get(current)
    return tuple(reversed(steps))


def _effects(fragment: Fragment) -> list[Effect]:
    return [*fragment.on_entry, *(effect for choice in fragment.choices for effect in choice.effects)]
