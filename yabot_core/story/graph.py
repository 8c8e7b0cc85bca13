"""The rules a story's graph keeps: ids unique, targets known, every fragment reachable and able to end.

Every message is Spanish and reads on its own; a loader turns ``loc`` into the line of the creator's file.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from yabot_core.kernel import did_you_mean
from yabot_core.story.content import Fragment, StoryHeader, fragment_label
from yabot_core.story.fields import FlagName, FragmentId
from yabot_core.story.rules import (
    Effect,
    EndStory,
    FlagSetCondition,
    GiveItem,
    HasItemCondition,
    MissionCondition,
    SetFlag,
    VisitedCondition,
    quoted_words,
)


@dataclass(frozen=True, slots=True)
class StoryProblem:
    """One broken rule, about fragment n.º ``index`` (``None``: the story's own fields), at ``loc`` in it."""

    index: int | None
    subject: str
    message: str
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def check_story(
    header: StoryHeader,
    fragments: Sequence[Fragment],
    items: Collection[str] | None = None,
    missions: Collection[str] | None = None,
) -> tuple[StoryProblem, ...]:
    """Return every rule the story breaks, in fragment order; empty when it is whole.

    ``items`` are the catalog's item ids, ``missions`` the missions catalog's ids; ``None`` skips that check
    (the core builds stories the loader already checked against the catalogs).
    """
    problems: list[StoryProblem] = []
    by_id: dict[FragmentId, int] = {}
    for index, fragment in enumerate(fragments):
        if fragment.id in by_id:
            message = (
                f"el id «{fragment.id}» ya lo usa el fragmento n.º {by_id[fragment.id] + 1};"
                " cada id debe ser único en la historia."
            )
            problems.append(StoryProblem(index, fragment.label, message, ("id",)))
        else:
            by_id[fragment.id] = index
    known = list(by_id)
    if header.start not in by_id:
        hint = did_you_mean(header.start, known)
        message = f"«inicio» nombra el fragmento «{header.start}», que no existe{hint}."
        problems.append(StoryProblem(None, f"historia «{header.id}»", message, ("inicio",)))
    flags_set = {
        effect.flag for fragment in fragments for effect in _effects(fragment) if isinstance(effect, SetFlag)
    }
    for index, fragment in enumerate(fragments):
        problems.extend(_fragment_problems(index, fragment, by_id, known, flags_set, (items, missions)))
    problems.extend(_replacement_problems(fragments, by_id))
    if header.start in by_id and not problems:
        problems.extend(_reachability(header, fragments, by_id))
    return tuple(problems)


def _replacement_problems(fragments: Sequence[Fragment], by_id: dict[FragmentId, int]) -> list[StoryProblem]:
    """``reemplaza`` names only fragments that no longer exist, each named by one fragment only."""
    problems: list[StoryProblem] = []
    named: dict[FragmentId, str] = {}
    for index, fragment in enumerate(fragments):
        for number, old in enumerate(fragment.replaces):
            loc = ("reemplaza", number)
            if old in by_id:
                message = (
                    f"«reemplaza» nombra «{old}», que sigue en la historia: solo se reemplaza un fragmento"
                    " que ya no existe."
                )
                problems.append(StoryProblem(index, fragment.label, message, loc))
            elif old in named:
                message = f"«{old}» ya lo reemplaza el fragmento «{named[old]}»; solo uno puede hacerlo."
                problems.append(StoryProblem(index, fragment.label, message, loc))
            else:
                named[old] = fragment.id
    return problems


def _effects(fragment: Fragment) -> list[Effect]:
    return [*fragment.on_entry, *(effect for choice in fragment.choices for effect in choice.effects)]


def _fragment_problems(  # noqa: PLR0917  # private, one call site
    index: int,
    fragment: Fragment,
    by_id: dict[FragmentId, int],
    known: Sequence[str],
    flags_set: set[FlagName],
    catalogs: tuple[Collection[str] | None, Collection[str] | None],
) -> list[StoryProblem]:
    found: list[StoryProblem] = []
    items, missions = catalogs

    def add(message: str, *loc: str | int) -> None:
        found.append(StoryProblem(index, fragment.label, message, loc))

    if fragment.choices and any(isinstance(effect, EndStory) for effect in fragment.on_entry):
        add("un fragmento con «fin: sí» termina la historia: no puede tener opciones.", "opciones")
    seen: dict[str, int] = {}
    for place, choice in enumerate(fragment.choices):
        where = ("opciones", place)
        if choice.id in seen:
            add(
                f"la opción «{choice.id}» aparece dos veces en este fragmento; cada id debe ser único.",
                *where,
                "id",
            )
        seen.setdefault(choice.id, place)
        if choice.target not in by_id:
            hint = did_you_mean(choice.target, known)
            add(f"la opción «{choice.id}» lleva a «{choice.target}», que no existe{hint}.", *where, "destino")
        for number, condition in enumerate(choice.conditions):
            at = (*where, "condiciones", number)
            if isinstance(condition, VisitedCondition) and condition.fragment not in by_id:
                hint = did_you_mean(condition.fragment, known)
                add(f"la condición «visitado» nombra «{condition.fragment}», que no existe{hint}.", *at)
            if isinstance(condition, FlagSetCondition) and condition.flag not in flags_set:
                add(
                    f"la condición pide la marca «{condition.flag}», pero ningún fragmento ni opción la pone"
                    " con «marcar»: nunca se cumpliría.",
                    *at,
                )
            if isinstance(condition, HasItemCondition) and items is not None and condition.item not in items:
                hint = did_you_mean(condition.item, list(items))
                add(
                    f"la condición pide «{condition.item}», que no está en el catálogo de objetos{hint}.", *at
                )
            if (
                isinstance(condition, MissionCondition)
                and missions is not None
                and condition.mission not in missions
            ):
                known_missions = sorted(missions)
                hint = did_you_mean(condition.mission, known_missions) or (
                    f"; las misiones son {quoted_words(known_missions)}"
                    if known_missions
                    else "; no hay ninguna misión"
                )
                add(f"la condición pide la misión «{condition.mission}», que no existe{hint}.", *at)
        for number, effect in enumerate(choice.effects):
            found.extend(_item_problem(index, fragment, effect, items, (*where, "efectos", number)))
    for number, effect in enumerate(fragment.on_entry):
        found.extend(_item_problem(index, fragment, effect, items, ("al_entrar", number)))
    return found


def _item_problem(
    index: int, fragment: Fragment, effect: Effect, items: Collection[str] | None, loc: tuple[str | int, ...]
) -> list[StoryProblem]:
    if not isinstance(effect, GiveItem) or items is None or effect.item in items:
        return []
    hint = did_you_mean(effect.item, list(items))
    message = f"«dar» nombra «{effect.item}», que no está en el catálogo de objetos{hint}."
    return [StoryProblem(index, fragment.label, message, loc)]


def _reachability(
    header: StoryHeader, fragments: Sequence[Fragment], by_id: dict[FragmentId, int]
) -> list[StoryProblem]:
    """Fragments no path from ``inicio`` reaches, and fragments from which no ending can be reached."""
    reached: set[FragmentId] = set()
    pending = [header.start]
    while pending:
        current = pending.pop()
        if current in reached:
            continue
        reached.add(current)
        fragment = fragments[by_id[current]]
        if not fragment.is_ending:
            pending.extend(choice.target for choice in fragment.choices)
    problems: list[StoryProblem] = []
    for index, fragment in enumerate(fragments):
        if fragment.id not in reached:
            message = "ninguna opción lleva a este fragmento desde «inicio»: nadie podrá leerlo."
            problems.append(StoryProblem(index, fragment.label, message, ("id",)))
    ending = {fragment.id for fragment in fragments if fragment.is_ending}
    if not ending & reached:
        message = "ningún final se alcanza desde «inicio»: la historia necesita al menos un fragmento final."
        return [*problems, StoryProblem(None, f"historia «{header.id}»", message, ("inicio",))]
    can_end = set(ending)
    changed = True
    while changed:
        changed = False
        for fragment in fragments:
            if fragment.id not in can_end and any(choice.target in can_end for choice in fragment.choices):
                can_end.add(fragment.id)
                changed = True
    for index, fragment in enumerate(fragments):
        if fragment.id in reached and fragment.id not in can_end:
            message = "desde este fragmento ningún camino llega a un final: quien entre no podrá terminar."
            problems.append(StoryProblem(index, fragment_label(fragment.id), message, ("opciones",)))
    return problems
