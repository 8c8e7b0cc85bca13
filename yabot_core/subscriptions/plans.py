"""The VIP plans on sale: the creator's content, checked whole when it loads.

The field aliases are the Spanish keys the creator writes in her content file; code uses the English names.
Lengths follow Telegram's invoices (a title of 1 to 32 characters, a description of 1 to 255), so a plan
that loads can always be sold.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Final, NewType

from pydantic import AfterValidator, BaseModel, Field, model_validator

from yabot_core.kernel import CONTENT_MODEL, checked_slug, did_you_mean, spanish_number, unaccented_keys
from yabot_core.subscriptions.errors import InvalidPlanCatalogError, UnknownPlanError

PlanId = NewType("PlanId", str)
"""A plan's id: a slug such as ``vip-mensual``, stable once fans have bought it (their history keeps it)."""

MAX_PLAN_ID_LENGTH: Final = 64
MAX_PLAN_NAME_LENGTH: Final = 32
"""Telegram's limit for an invoice's title."""
MAX_PLAN_DESCRIPTION_LENGTH: Final = 255
"""Telegram's limit for an invoice's description."""
MAX_DAYS: Final = 3650
"""Ten years: the longest one plan, grant or extension may add (more is surely a typo)."""
MAX_STARS: Final = 10_000
"""The dearest a plan may be, in Telegram Stars: a bound against a typo's extra zeros."""


def _checked_plan_id(value: str) -> PlanId:
    return PlanId(checked_slug(value, maximum=MAX_PLAN_ID_LENGTH, example="vip-mensual"))


PlanIdField = Annotated[PlanId, AfterValidator(_checked_plan_id)]
"""A ``PlanId`` checked to be a slug of at most ``MAX_PLAN_ID_LENGTH`` characters."""


class Plan(BaseModel):
    """A way to buy VIP: ``days`` of it for ``price`` Telegram Stars."""

    model_config = CONTENT_MODEL

    id: PlanIdField
    name: str = Field(alias="nombre", min_length=1, max_length=MAX_PLAN_NAME_LENGTH)
    days: int = Field(alias="dias", ge=1, le=MAX_DAYS)
    price: int = Field(alias="precio", ge=1, le=MAX_STARS)
    description: str = Field(alias="descripcion", min_length=1, max_length=MAX_PLAN_DESCRIPTION_LENGTH)

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        return unaccented_keys(data)

    @property
    def label(self) -> str:
        """How messages name this entry."""
        return plan_label(self.id)

    def __str__(self) -> str:
        days = "1 día" if self.days == 1 else f"{spanish_number(self.days)} días"
        return f"{self.name} ({days}, {spanish_number(self.price)} estrellas)"


def plan_label(plan_id: str) -> str:
    """How messages name a plan entry: ``plan «vip-mensual»``."""
    return f"plan «{plan_id}»"


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """One broken catalog rule, about the plan at ``index`` (``loc`` inside it, as pydantic would say)."""

    index: int
    subject: str
    message: str
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def check_plans(plans: Sequence[Plan]) -> tuple[PlanProblem, ...]:
    """Return every rule the plans break, in order; empty when they are whole. Ids are unique."""
    problems = []
    first: dict[PlanId, int] = {}
    for index, plan in enumerate(plans):
        if plan.id in first:
            message = (
                f"el id «{plan.id}» ya lo usa el plan n.º {first[plan.id] + 1} de la lista;"
                " cada id debe ser único."
            )
            problems.append(PlanProblem(index, plan.label, message, ("id",)))
        else:
            first[plan.id] = index
    return tuple(problems)


@dataclass(frozen=True)
class PlanCatalog:
    """The plans on sale, in the order the creator listed them; whole by construction.

    Raises:
        InvalidPlanCatalogError: the plans break a rule of :func:`check_plans` (all problems listed).
    """

    plans: tuple[Plan, ...] = ()
    _by_id: dict[PlanId, Plan] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plans", tuple(self.plans))
        problems = check_plans(self.plans)
        if problems:
            raise InvalidPlanCatalogError(problems)
        object.__setattr__(self, "_by_id", {plan.id: plan for plan in self.plans})

    def __iter__(self) -> Iterator[Plan]:
        return iter(self.plans)

    def __len__(self) -> int:
        return len(self.plans)

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self._by_id

    def get(self, plan_id: str) -> Plan | None:
        """Return the plan with that id, or ``None``."""
        return self._by_id.get(PlanId(plan_id))

    def plan(self, plan_id: str) -> Plan:
        """Return the plan with that id.

        Raises:
            UnknownPlanError: no plan has that id (the message suggests the id probably meant).
        """
        found = self.get(plan_id)
        if found is None:
            raise UnknownPlanError(plan_id, did_you_mean(plan_id, [plan.id for plan in self.plans]))
        return found
