"""Whether a fan may take a choice: each condition judged against what the fan has, in Spanish.

The same judgement serves the scene a fan is shown (committed data) and the decision itself (inside its unit
of work, so what is checked is what commits).
"""

from typing import Protocol

from yabot_core.inventory import ItemCatalog, ItemId
from yabot_core.kernel import spanish_number
from yabot_core.missions import MissionCatalog
from yabot_core.story.content import Choice, Story, vip_gated
from yabot_core.story.errors import ConditionNotMetError, UnresolvableConditionError, VipRequiredError
from yabot_core.story.models import ChoiceState, ChoiceView, StoryProgress
from yabot_core.story.rules import (
    Condition,
    FlagSetCondition,
    FlagUnsetCondition,
    HasItemCondition,
    MinBesitosCondition,
    MissionCondition,
    VipCondition,
    VisitedCondition,
)


class Facts(Protocol):
    """What conditions ask about one fan: VIP, the mochila, the wallet, the missions."""

    async def is_vip(self) -> bool:
        """Whether the fan is VIP now."""
        ...

    async def held(self, item_id: ItemId) -> int:
        """How many of an item the fan holds."""
        ...

    async def balance(self) -> int:
        """The fan's spendable besitos."""
        ...

    async def completed(self, mission_id: str) -> bool | None:
        """Whether the fan completed the mission at least once; ``None`` when nothing can tell."""
        ...


async def judge(  # noqa: PLR0917  # what a judgement reads: the story, the fan, the catalogs
    story: Story,
    choice: Choice,
    progress: StoryProgress,
    facts: Facts,
    catalog: ItemCatalog,
    missions: MissionCatalog | None = None,
) -> ChoiceView:
    """The choice as the fan may take it now: open, closed to non-VIP fans, or closed with a reason.

    ``missions`` names missions to the fan by their title (by their id without it).
    """
    if vip_gated(choice, story) and not await facts.is_vip():
        return ChoiceView(choice, ChoiceState.VIP_LOCKED, "reservado al círculo VIP de Diana.")
    for condition in choice.conditions:
        reason = await unmet(condition, story, progress, facts, catalog, missions)
        if reason is not None:
            uncheckable = (
                isinstance(condition, MissionCondition) and await facts.completed(condition.mission) is None
            )
            state = ChoiceState.UNCHECKABLE if uncheckable else ChoiceState.LOCKED
            return ChoiceView(choice, state, reason)
    return ChoiceView(choice, ChoiceState.OPEN)


def refusal(view: ChoiceView) -> ConditionNotMetError | None:
    """The error that refuses a decision on a closed choice (``None`` for an open one)."""
    if view.state is ChoiceState.VIP_LOCKED:
        return VipRequiredError()
    if view.state is ChoiceState.UNCHECKABLE:
        return UnresolvableConditionError(view.reason or "")
    if view.state is ChoiceState.LOCKED:
        return ConditionNotMetError(view.reason or "")
    return None


async def unmet(  # noqa: PLR0911, PLR0917  # one answer per kind of condition
    condition: Condition,
    story: Story,
    progress: StoryProgress,
    facts: Facts,
    catalog: ItemCatalog,
    missions: MissionCatalog | None = None,
) -> str | None:
    """Why the condition does not hold, in Spanish; ``None`` when it holds."""
    if isinstance(condition, VipCondition):
        return None if await facts.is_vip() else "reservado al círculo VIP de Diana."
    if isinstance(condition, HasItemCondition):
        if await facts.held(condition.item) >= 1:
            return None
        return f"hace falta «{catalog.name_of(condition.item)}» en su mochila."
    if isinstance(condition, MinBesitosCondition):
        if await facts.balance() >= condition.minimum:
            return None
        return f"hacen falta al menos {spanish_number(condition.minimum)} besitos."
    if isinstance(condition, FlagSetCondition):
        return None if condition.flag in progress.flags else "algo de su camino aún no lo permite."
    if isinstance(condition, FlagUnsetCondition):
        return None if condition.flag not in progress.flags else "su camino ya se apartó de esa puerta."
    if isinstance(condition, VisitedCondition):
        if condition.fragment in progress.visited:
            return None
        fragment = story.get(condition.fragment)
        title = fragment.title if fragment is not None else condition.fragment
        return f"antes debe pasar por «{title}»."
    done = await facts.completed(condition.mission)
    if done:
        return None
    definition = missions.get(condition.mission) if missions is not None else None
    title = definition.title if definition is not None else condition.mission
    if done is None:
        return f"depende de la misión «{title}», y en esta casa no puedo comprobarla."
    return f"antes debe cumplir la misión «{title}» (vea /misiones)."
