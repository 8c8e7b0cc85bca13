"""What the creator writes about the daily gift: the streak's reward and the weighted surprises.

The field aliases are the Spanish keys of her content file; code uses the English names. A fan's reward on
day ``n`` of a streak is ``base + increment × (n − 1)`` besitos, never more than ``cap``, plus one surprise
drawn by weight (besitos, an item of the catalog, both, or nothing at all).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, Field, model_validator

from yabot_core.daily_gift.errors import InvalidDailyGiftContentError
from yabot_core.daily_gift.ports import RandomSource
from yabot_core.inventory import MAX_QUANTITY, ItemCatalog, ItemIdField
from yabot_core.kernel import CONTENT_MODEL, checked_slug, did_you_mean, unaccented_keys
from yabot_core.wallet import MAX_AMOUNT

MAX_GIFT_ID_LENGTH: Final = 64
MAX_WEIGHT: Final = 1_000_000
MAX_STREAK_BESITOS: Final = 100_000
"""The most one day's streak may pay: a bound against a typo's extra zeros."""


def _checked_gift_id(value: str) -> str:
    return checked_slug(value, maximum=MAX_GIFT_ID_LENGTH, example="rosa-sorpresa")


class StreakRule(BaseModel):
    """How the streak pays: ``base`` on its first day, ``increment`` more each day after, up to ``cap``."""

    model_config = CONTENT_MODEL

    base: int = Field(ge=1, le=MAX_STREAK_BESITOS)
    increment: int = Field(default=0, alias="incremento", ge=0, le=MAX_STREAK_BESITOS)
    cap: int = Field(alias="tope", ge=1, le=MAX_STREAK_BESITOS)

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        return unaccented_keys(data)

    def besitos(self, streak: int) -> int:
        """What day ``streak`` (1 for the first) of a streak pays."""
        return min(self.base + self.increment * (max(streak, 1) - 1), self.cap)


class SurpriseGift(BaseModel):
    """One surprise the draw may pick, ``weight`` times as likely as a surprise of weight 1."""

    model_config = CONTENT_MODEL

    id: Annotated[str, AfterValidator(_checked_gift_id)]
    weight: int = Field(alias="peso", ge=1, le=MAX_WEIGHT)
    besitos: int = Field(default=0, ge=0, le=MAX_AMOUNT - MAX_STREAK_BESITOS)  # one credit with the streak's
    item_id: ItemIdField | None = Field(default=None, alias="objeto")
    quantity: int = Field(default=1, alias="cantidad", ge=1, le=MAX_QUANTITY)

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        return unaccented_keys(data)

    @property
    def label(self) -> str:
        """How messages name this entry."""
        return gift_label(self.id)


def gift_label(gift_id: str) -> str:
    """How messages name a surprise: ``sorpresa «rosa»``."""
    return f"sorpresa «{gift_id}»"


@dataclass(frozen=True, slots=True)
class GiftProblem:
    """One broken rule, about the surprise at ``index`` (``None``: the streak), at ``loc`` inside it."""

    index: int | None
    subject: str
    message: str
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def check_daily_gift(
    streak: StreakRule, gifts: Sequence[SurpriseGift], catalog: ItemCatalog | None = None
) -> tuple[GiftProblem, ...]:
    """Every rule broken: a cap under the base, a repeated id, an item the catalog lacks (when given)."""
    problems: list[GiftProblem] = []
    if streak.cap < streak.base:
        message = f"el tope ({streak.cap}) no puede ser menor que la base ({streak.base})."
        problems.append(GiftProblem(None, "la racha", message, ("tope",)))
    first: dict[str, int] = {}
    for index, gift in enumerate(gifts):
        if gift.id in first:
            message = (
                f"el id «{gift.id}» ya lo usa la sorpresa n.º {first[gift.id] + 1}; cada id debe ser único."
            )
            problems.append(GiftProblem(index, gift.label, message, ("id",)))
        first.setdefault(gift.id, index)
        if catalog is not None and gift.item_id is not None and gift.item_id not in catalog:
            hint = did_you_mean(gift.item_id, [item.id for item in catalog.items])
            message = f"el objeto «{gift.item_id}» no está en el catálogo de objetos{hint}."
            problems.append(GiftProblem(index, gift.label, message, ("objeto",)))
    return tuple(problems)


@dataclass(frozen=True)
class DailyGiftContent:
    """The streak's rule and the surprises, whole by construction.

    Raises:
        InvalidDailyGiftContentError: the content breaks a rule of :func:`check_daily_gift`.
    """

    streak: StreakRule
    gifts: tuple[SurpriseGift, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "gifts", tuple(self.gifts))
        problems = check_daily_gift(self.streak, self.gifts)
        if problems:
            raise InvalidDailyGiftContentError(problems)

    def draw(self, random: RandomSource) -> SurpriseGift | None:
        """Pick one surprise, each as likely as its weight; ``None`` when there are none."""
        total = sum(gift.weight for gift in self.gifts)
        if total == 0:
            return None
        target = min(int(random.random() * total), total - 1)  # random() < 1, but a port may be careless
        for gift in self.gifts:
            target -= gift.weight
            if target < 0:
                return gift
        return self.gifts[-1]  # unreachable: the weights sum to ``total``
