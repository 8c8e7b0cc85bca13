"""Whether a fan may take a choice: each condition judged against what the fan has, in Spanish.

The same judgement serves the scene a fan is shown (committed data) and the decision itself (inside its unit
of work, so what is checked is what commits).
"""

from typing import Protocol

from yabot_core.inventory import ItemCatalog, ItemId
from yabot_core.kernel import spanish_number
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
    """What conditions ask about one fan: VIP, the mochila, the wallet."""

    async def is_vip(self) -> bool:
        """Whether the fan is VIP now."""
        ...

    async def held(self, item_id: ItemId) -> int:
        """How many of an item the fan holds."""
        ...

    async def balance(self) -> int:
        """The fan's spendable besitos."""
        ...


async def judge(
    story: Story, choice: Choice, progress: StoryProgress, facts: Facts, catalog: ItemCatalog
) -> ChoiceView:
    """The choice as the fan may take it now: open, closed to non-VIP fans, or closed with a reason."""
    if vip_gated(choice, story) and not await facts.is_vip():
        return ChoiceView(choice, ChoiceState.VIP_LOCKED, "reservado al círculo VIP de Diana.")
    for condition in choice.conditions:
        reason = await unmet(condition, story, progress, facts, catalog)
        if reason is not None:
            state = ChoiceState.UNCHECKABLE if isinstance(condition, MissionCondition) else ChoiceState.LOCKED
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


async def unmet(  # noqa: PLR0911  # one answer per kind of condition
    condition: Condition, story: Story, progress: StoryProgress, facts: Facts, catalog: ItemCatalog
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
    return (
        f"depende de la misión «{condition.mission}», y las misiones aún no han llegado a esta casa:"
        " no puedo comprobarla todavía."
    )
