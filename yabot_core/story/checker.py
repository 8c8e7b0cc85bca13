"""Every branch of a story played automatically, as a free fan and as a VIP, to find what no reader would.

Loading a story checks its graph (targets, reachability by arrows alone); this plays it with its conditions,
judged by the engine's own code (:func:`~yabot_core.story.conditions.judge`), over a bounded state space:
the fragment, the flags, the items and the visited fragments that some condition asks about (the rest
cannot change a judgement, so it is left out of the state). Every finding names the fragment and the place
in it (``loc``) so an adapter can name the line of the creator's file.

What it assumes, so it never reports a path a fan could not take: a fan may also get items the story never
gives (the store, gifts) and besitos anywhere; two pistas a fan holds may be combined by a recipe (the
ingredients are assumed kept, so a path that needs both a pista and what it combines into is not refused);
a finished story may be begun again (flags cleared, the rest kept), as ``/historia`` offers.
"""

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from yabot_core.inventory import ItemCatalog, ItemId
from yabot_core.kernel import UserId
from yabot_core.story.conditions import judge, unmet
from yabot_core.story.content import Choice, Fragment, Story, vip_gated
from yabot_core.story.fields import FlagName, FragmentId
from yabot_core.story.graph import StoryProblem
from yabot_core.story.models import ChoiceState, StoryProgress
from yabot_core.story.rules import (
    ClearFlag,
    Condition,
    Effect,
    EndStory,
    FlagSetCondition,
    FlagUnsetCondition,
    GiveItem,
    HasItemCondition,
    MissionCondition,
    SetFlag,
    VisitedCondition,
)

MAX_STATES: Final = 20_000
"""States explored per profile before giving up on completeness (a warning says so)."""

_PLACEHOLDER: Final = re.compile(r"\{[^{}\n]{0,80}\}")
_NOBODY: Final = UserId(1)
_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)


class Severity(StrEnum):
    """An error fails the check; a warning does only when asked to be strict."""

    ERROR = "error"
    WARNING = "aviso"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the check found, about fragment n.º ``problem.index`` at ``problem.loc``."""

    severity: Severity
    problem: StoryProblem


@dataclass(frozen=True, slots=True)
class Exploration:
    """What playing a story found: the findings in fragment order, and how many states each profile saw."""

    findings: tuple[Finding, ...]
    free_states: int
    vip_states: int


@dataclass(frozen=True, slots=True)
class _State:
    fragment: FragmentId
    flags: frozenset[FlagName]
    items: frozenset[ItemId]
    visited: frozenset[FragmentId]
    completed: bool


@dataclass
class _Tally:
    """What all explored states said about each fragment, choice and condition."""

    reached: set[FragmentId] = field(default_factory=set)
    later: set[FragmentId] = field(default_factory=set)
    """Fragments reached only once missions exist (a mission condition is the only thing closing them)."""
    dead_ends: dict[FragmentId, tuple[FragmentId, ...]] = field(default_factory=dict)
    opened: set[tuple[FragmentId, int]] = field(default_factory=set)
    vip_opened: set[tuple[FragmentId, int]] = field(default_factory=set)
    held: set[tuple[FragmentId, int, int]] = field(default_factory=set)
    truncated: bool = False
    states: dict[bool, int] = field(default_factory=dict)


class _Facts:
    """One explored state's mochila and VIP, as the conditions ask them."""

    def __init__(self, items: frozenset[ItemId], outside: frozenset[ItemId], vip: bool) -> None:
        self._items, self._outside, self._vip = items, outside, vip

    async def is_vip(self) -> bool:
        return self._vip

    async def held(self, item_id: ItemId) -> int:
        return 1 if item_id in self._items or item_id in self._outside else 0

    async def balance(self) -> int:
        return 10**9  # besitos come from everywhere: a minimum never closes a path for good


class _Player:
    """Plays one story for one profile, breadth first, recording into a shared tally."""

    def __init__(self, story: Story, catalog: ItemCatalog, tally: _Tally) -> None:
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

    async def play(self, *, vip: bool, later: bool = False) -> None:
        """Play every branch from the start; ``later``: as if missions existed and were completed."""
        start = self.story.start
        first = self._enter(
            _State(start.id, frozenset(), frozenset(), frozenset(), completed=False), start, (), set()
        )
        parents: dict[_State, _State | None] = {first: None}
        queue = deque([first])
        while queue:
            state = queue.popleft()
            for following in await self._step(state, parents, vip=vip, later=later):
                if following not in parents:
                    if len(parents) >= MAX_STATES:
                        self.tally.truncated = True
                        continue
                    parents[following] = state
                    queue.append(following)
        if not later:
            self.tally.states[vip] = len(parents)

    async def _step(
        self, state: _State, parents: dict[_State, _State | None], *, vip: bool, later: bool
    ) -> list[_State]:
        tally, fragment = self.tally, self.story.get(state.fragment)
        assert fragment is not None  # noqa: S101  (states only name the story's fragments)
        (tally.later if later else tally.reached).add(fragment.id)
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
            blocked = False
            for number, condition in enumerate(choice.conditions):
                if await unmet(condition, self.story, progress, facts, self.catalog) is None:
                    tally.held.add((fragment.id, place, number))
                elif not isinstance(condition, MissionCondition):
                    blocked = True
            view = await judge(self.story, choice, progress, facts, self.catalog)
            if view.state is ChoiceState.VIP_LOCKED:
                way_on = True  # the gate: Lucien invites to /vip, and the VIP profile goes on
            opens_later = later and view.state is ChoiceState.UNCHECKABLE and not blocked
            if view.state is not ChoiceState.OPEN and not opens_later:
                continue
            way_on = True
            tally.opened.add((fragment.id, place))
            if vip:
                tally.vip_opened.add((fragment.id, place))
            target = self.story.get(choice.target)
            assert target is not None  # noqa: S101  (a story is whole by construction)
            following.append(self._enter(state, target, choice.effects, set(state.flags)))
        if not way_on and not later and fragment.id not in tally.dead_ends:
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


async def explore(story: Story, catalog: ItemCatalog) -> Exploration:
    """Play every branch of ``story`` as a free fan and as a VIP; return what a reader would stumble on.

    Errors: dead ends, fragments, VIP passages and endings no path reaches, VIP gates nobody gets through,
    conditions that never hold (alone or together), variables in texts that are sent as written. Warnings:
    conditions on missions (which do not exist yet), items only found outside the story, an exploration cut
    short at :data:`MAX_STATES` (then nothing is called unreachable).
    """
    tally = _Tally()
    player = _Player(story, catalog, tally)
    await player.play(vip=False)
    await player.play(vip=True)
    await player.play(vip=True, later=True)
    findings = [*_text_findings(story), *_path_findings(story, player, tally)]
    findings.sort(key=lambda found: -1 if found.problem.index is None else found.problem.index)
    return Exploration(tuple(findings), tally.states[False], tally.states[True])


def _path_findings(story: Story, player: _Player, tally: _Tally) -> list[Finding]:
    found: list[Finding] = []

    def add(severity: Severity, index: int | None, message: str, *loc: str | int) -> None:
        subject = story.fragments[index].label if index is not None else f"historia «{story.id}»"
        found.append(Finding(severity, StoryProblem(index, subject, message, loc)))

    if tally.truncated:
        add(
            Severity.WARNING,
            None,
            f"la historia tiene más de {MAX_STATES} estados posibles: se exploraron esos y no se afirma"
            " que algún fragmento sea inalcanzable.",
            "id",
        )
    for index, fragment in enumerate(story):
        if fragment.id in tally.dead_ends:
            way = " → ".join(tally.dead_ends[fragment.id])
            add(
                Severity.ERROR,
                index,
                f"callejón sin salida: quien llega por {way} no puede tomar ninguna opción,"
                " y no es un final.",
                "opciones",
            )
        if fragment.id not in tally.reached:
            if fragment.id in tally.later:
                message = (
                    "solo una condición «mision» abre el camino hasta aquí: nadie llegará hasta que existan."
                )
                add(Severity.WARNING, index, message, "id")
            elif not tally.truncated:
                add(Severity.ERROR, index, _unreached(fragment), "id")
            continue
        for place, choice in enumerate(fragment.choices):
            found.extend(_choice_findings(story, index, fragment, place, choice, player, tally))
    return found


def _unreached(fragment: Fragment) -> str:
    if fragment.vip:
        what = "este pasaje VIP"
    elif fragment.is_ending:
        what = "este final"
    else:
        what = "este fragmento"
    return f"ningún camino llega a {what}, ni como seguidor gratuito ni como VIP: las condiciones lo cierran."


def _choice_findings(  # noqa: PLR0917  # private, one call site
    story: Story,
    index: int,
    fragment: Fragment,
    place: int,
    choice: Choice,
    player: _Player,
    tally: _Tally,
) -> list[Finding]:
    found: list[Finding] = []
    never = False
    for number, condition in enumerate(choice.conditions):
        loc = ("opciones", place, "condiciones", number)
        problem: StoryProblem | None = None
        severity = Severity.ERROR
        if isinstance(condition, MissionCondition):
            severity, never = Severity.WARNING, True
            message = (
                f"«mision: {condition.mission}» nunca se cumple todavía: las misiones aún no existen en"
                f" YABOT, así que la opción «{choice.id}» queda cerrada."
            )
            problem = StoryProblem(index, fragment.label, message, loc)
        elif (fragment.id, place, number) not in tally.held:
            never = True
            message = (
                f"la condición {_shown(condition)} de la opción «{choice.id}» nunca se cumple en ningún"
                " camino que llega a este fragmento."
            )
            problem = StoryProblem(index, fragment.label, message, loc)
        elif isinstance(condition, HasItemCondition) and condition.item in player.outside:
            severity = Severity.WARNING
            message = (
                f"ningún lugar de esta historia da «{condition.item}»: la opción «{choice.id}» solo se abre a"
                " quien lo consiga fuera (la tienda, un regalo)."
            )
            problem = StoryProblem(index, fragment.label, message, loc)
        if problem is not None:
            found.append(Finding(severity, problem))
    where = ("opciones", place)
    if vip_gated(choice, story) and (fragment.id, place) not in tally.vip_opened:
        message = f"la puerta VIP «{choice.id}» no la cruza nadie: ni un VIP llega a cumplir sus condiciones."
        found.append(Finding(Severity.ERROR, StoryProblem(index, fragment.label, message, where)))
    elif not never and (fragment.id, place) not in tally.opened:
        message = (
            f"las condiciones de la opción «{choice.id}» nunca se cumplen a la vez: nadie puede tomarla."
        )
        found.append(Finding(Severity.ERROR, StoryProblem(index, fragment.label, message, where)))
    return found


def _shown(condition: Condition) -> str:
    value = condition.model_dump(by_alias=True).get(condition.tag, "")
    return f"«{condition.tag}: {'sí' if value is True else value}»"


def _text_findings(story: Story) -> list[Finding]:
    """Fragment titles, texts and buttons go out as written: a ``{ $variable }`` would reach the fan raw."""
    found = []
    for index, fragment in enumerate(story):
        places: list[tuple[tuple[str | int, ...], str]] = [
            (("titulo",), fragment.title),
            (("texto",), fragment.text),
        ]
        places.extend((("opciones", n, "texto"), choice.text) for n, choice in enumerate(fragment.choices))
        for loc, text in places:
            match = _PLACEHOLDER.search(text)
            if match is not None:
                message = (
                    f"«{match.group()}» llegaría tal cual al seguidor: nada sustituye variables en los"
                    " títulos, textos y botones de una historia (solo en los «mensaje» de Lucien)."
                )
                found.append(Finding(Severity.ERROR, StoryProblem(index, fragment.label, message, loc)))
    return found
