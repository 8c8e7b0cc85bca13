"""Every branch of a story played automatically, as a free fan and as a VIP, to find what no reader would.

Loading a story checks its graph (targets, reachability by arrows alone); this plays it with its conditions,
judged by the engine's own code (:func:`~yabot_core.story.conditions.judge`), over a bounded state space:
the fragment, the flags, the items and the visited fragments that some condition asks about (the rest
cannot change a judgement, so it is left out of the state). Every finding names the fragment and the place
in it (``loc``) so an adapter can name the line of the creator's file.

It leans towards what a fan could do, so what it calls unreachable or never true is so: a fan may also get
items the story never gives (the store, gifts) and besitos anywhere; two pistas a fan holds may be combined
by a recipe (the ingredients are assumed kept, so a path that needs both a pista and what it combines into
is not refused); a finished story may be begun again (flags cleared, the rest kept), as ``/historia`` offers;
a mission may be completed at any time outside the story (the loader checks that it exists).
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from yabot_core.inventory import ItemCatalog
from yabot_core.story.content import Choice, Fragment, Story, vip_gated
from yabot_core.story.graph import StoryProblem
from yabot_core.story.playthrough import MAX_STATES, Player, Tally
from yabot_core.story.rules import Condition, HasItemCondition

_PLACEHOLDER: Final = re.compile(r"\{[^{}\n]{0,80}\}")


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


async def explore(story: Story, catalog: ItemCatalog) -> Exploration:
    """Play every branch of ``story`` as a free fan and as a VIP; return what a reader would stumble on.

    Errors: dead ends, fragments, VIP passages and endings no path reaches, VIP gates nobody gets through,
    conditions that never hold (alone or together), variables in texts that are sent as written. Warnings:
    items only found outside the story, an exploration cut short at :data:`MAX_STATES` (then nothing is
    called unreachable).
    """
    tally = Tally()
    player = Player(story, catalog, tally)
    await player.play(vip=False)
    await player.play(vip=True)
    findings = [*_text_findings(story), *_path_findings(story, player, tally)]
    findings.sort(key=lambda found: -1 if found.problem.index is None else found.problem.index)
    return Exploration(tuple(findings), tally.states[False], tally.states[True])


def _path_findings(story: Story, player: Player, tally: Tally) -> list[Finding]:
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
            if not tally.truncated:
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
    player: Player,
    tally: Tally,
) -> list[Finding]:
    found: list[Finding] = []
    never = False
    for number, condition in enumerate(choice.conditions):
        loc = ("opciones", place, "condiciones", number)
        problem: StoryProblem | None = None
        severity = Severity.ERROR
        if (fragment.id, place, number) not in tally.held:
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
