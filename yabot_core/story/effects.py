"""What a step does besides moving the fan: flags, besitos, mochila, Lucien's messages, the ending.

Every effect runs inside the decision's unit of work through the owning module's public API
(``WalletService.credit_in``, ``Mochila.add_in``, ``Lucien.schedule_text_in``), keyed by the place of the
story it belongs to (``yabot:story:<fan>:<story>:<place>:<n>``): a fan gets each once, however often they
pass by, and a retried unit of work never pays twice.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from yabot_core.inventory import ItemId, ItemKind, Mochila, UnknownItemError
from yabot_core.kernel import Clock, EventStamper, IdempotencyKey, UserId, system_key
from yabot_core.lucien import Lucien
from yabot_core.missions import Missions, UnknownMissionError
from yabot_core.story.content import Story
from yabot_core.story.events import HintUnlocked
from yabot_core.story.fields import FlagName, FragmentId
from yabot_core.story.models import Given, StoryProgress
from yabot_core.story.ports import StoryUnitOfWork
from yabot_core.story.rules import (
    AwardBesitos,
    ClearFlag,
    Effect,
    EndStory,
    GiveItem,
    ScheduleMessage,
    SetFlag,
)
from yabot_core.wallet import LedgerReason, WalletService

STORY_REWARD: Final = LedgerReason.define("story_reward", "Recompensa de la historia")
"""Besitos the story awards."""

STORY_GIFT: Final = "story_gift"
"""The mochila's reason for items the story gives."""


class StepFacts:
    """A fan's VIP, mochila, wallet and missions for conditions: in a unit of work when given, else committed.

    Missions are always read committed: a completion never goes back, so it cannot change under a step.
    """

    def __init__(
        self,
        user_id: UserId,
        vip: bool,  # asked once per step
        *,
        uow: StoryUnitOfWork | None = None,
        mochila: Mochila,
        wallet: WalletService,
        missions: Missions | None = None,
    ) -> None:
        self._user, self._vip, self._uow, self._mochila, self._wallet = user_id, vip, uow, mochila, wallet
        self._missions = missions

    async def is_vip(self) -> bool:
        """Whether the fan is VIP (asked once, before the step's unit of work)."""
        return self._vip

    async def held(self, item_id: ItemId) -> int:
        """How many of the item the fan holds."""
        if self._uow is not None:
            line = await self._uow.inventory.line(self._user, item_id)
            return line.quantity if line else 0
        try:
            return (await self._mochila.item(self._user, item_id)).quantity
        except UnknownItemError:
            return 0

    async def balance(self) -> int:
        """The fan's spendable besitos."""
        if self._uow is not None:
            return (await self._uow.wallets.get(self._user)).balance
        return (await self._wallet.balance(self._user)).balance

    async def completed(self, mission_id: str) -> bool | None:
        """Whether the fan completed the mission, asked through the missions' public API.

        ``None``: this engine has no missions module to ask.
        """
        if self._missions is None:
            return None
        try:
            return await self._missions.completed(self._user, mission_id)
        except UnknownMissionError:
            return False  # a story not checked against this catalog (the loader refuses it): never done


@dataclass
class Step:
    """What one unit of work is doing to a fan's progress, gathered before it is saved."""

    progress: StoryProgress
    """The record as read (or, for a fan starting, as it begins)."""
    revision: int
    """The revision the record is saved at."""
    flags: set[FlagName]
    visited: list[FragmentId]
    given: list[Given] = field(default_factory=list)
    besitos: int = 0
    ended: bool = False


class Effects:
    """Applies a place's effects to a step, through the modules that own them."""

    def __init__(
        self, *, wallet: WalletService, mochila: Mochila, lucien: Lucien, clock: Clock, stamper: EventStamper
    ) -> None:
        self._wallet = wallet
        self._mochila = mochila
        self._lucien = lucien
        self._clock = clock
        self._stamper = stamper

    async def apply(  # noqa: PLR0917  # the place of the story and its effects
        self,
        uow: StoryUnitOfWork,
        story: Story,
        state: Step,
        effects: Sequence[Effect],
        origin: str,
        fragment_id: FragmentId,
    ) -> None:
        """Apply ``effects`` of the place ``origin`` (``c:<fragment>:<choice>`` or ``f:<fragment>``)."""
        user = state.progress.user_id
        for index, effect in enumerate(effects):
            key = IdempotencyKey(system_key("story", user, story.id, origin, index))
            if isinstance(effect, SetFlag):
                state.flags.add(effect.flag)
            elif isinstance(effect, ClearFlag):
                state.flags.discard(effect.flag)
            elif isinstance(effect, EndStory):
                state.ended = True
            elif isinstance(effect, AwardBesitos):
                if await uow.wallets.entry_by_key(key) is None:
                    await self._wallet.credit_in(uow, user, effect.amount, STORY_REWARD, idempotency_key=key)
                    state.besitos += effect.amount
            elif isinstance(effect, GiveItem):
                await self._give(uow, story, state, effect, key, fragment_id)
            elif isinstance(effect, ScheduleMessage):
                at = self._clock.now() + effect.delay
                await self._lucien.schedule_text_in(uow, user, effect.text, at=at, key=key)

    async def _give(  # noqa: PLR0917  # private
        self,
        uow: StoryUnitOfWork,
        story: Story,
        state: Step,
        effect: GiveItem,
        key: IdempotencyKey,
        fragment_id: FragmentId,
    ) -> None:
        """Put the item in the mochila once for this place, as many as the mochila can still take."""
        user = state.progress.user_id
        definition = self._mochila.catalog.get(effect.item)
        if definition is None or await uow.inventory.operation_by_key(key) is not None:
            return  # removed from the catalog since, or given here before
        line = await uow.inventory.line(user, definition.id)
        held = line.quantity if line else 0
        room = effect.quantity if definition.limit is None else min(effect.quantity, definition.limit - held)
        if room <= 0:
            return  # the fan already holds all they may (a pista is held once)
        await self._mochila.add_in(uow, user, definition.id, room, reason=STORY_GIFT, idempotency_key=key)
        pista = definition.kind is ItemKind.PISTA
        state.given.append(Given(item_id=definition.id, name=definition.name, quantity=room, pista=pista))
        if pista:
            uow.record(
                HintUnlocked(
                    **self._stamper.stamp(),
                    user_id=user,
                    story_id=story.id,
                    fragment_id=fragment_id,
                    item_id=ItemId(definition.id),
                )
            )
