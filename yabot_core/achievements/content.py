"""Logros as the creator writes them: a rule over a counter of events, and a reward.

The field aliases are the Spanish keys of her content file (``logros.yaml``); code uses the English
names. A rule counts events of one type (any type a registered module declares: ``reactions.detected``,
``story.narrative_completed``, the store's purchases…) whose fields equal the filter's values, until
``cantidad``; with ``campo``, it follows the highest value of that numeric field instead (the daily gift's
``streak`` reaching 7 is a week in a row). A logro unlocks once per fan and pays its reward then.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, Field, model_validator

from yabot_core.achievements.errors import InvalidAchievementCatalogError
from yabot_core.inventory import MAX_QUANTITY, ItemCatalog, ItemIdField
from yabot_core.kernel import CONTENT_MODEL, Event, checked_slug, did_you_mean, unaccented_keys
from yabot_core.wallet import MAX_AMOUNT

MAX_ACHIEVEMENT_ID_LENGTH: Final = 64
MAX_TITLE_LENGTH: Final = 64
MAX_DESCRIPTION_LENGTH: Final = 500
MAX_COUNT: Final = 100_000

FilterValue = str | int | bool

EventLookup = Callable[[str], type[Event] | None]
"""Finds the event class of a type name (``None``: no such event)."""


def _checked_id(value: str) -> str:
    return checked_slug(value, maximum=MAX_ACHIEVEMENT_ID_LENGTH, example="primera-compra")


class Rule(BaseModel):
    """``count`` events of type ``event`` matching ``filter`` (with ``field``: that field reaching it)."""

    model_config = CONTENT_MODEL

    event: str = Field(alias="evento", min_length=1, max_length=64)
    count: int = Field(default=1, alias="cantidad", ge=1, le=MAX_COUNT)
    filter: dict[str, FilterValue] = Field(default_factory=dict, alias="filtro")
    field: str | None = Field(default=None, alias="campo", min_length=1, max_length=64)

    def matches(self, event: Event) -> bool:
        """Whether ``event`` counts towards this rule."""
        if event.event_type != self.event:
            return False
        return all(str(getattr(event, name, None)) == str(value) for name, value in self.filter.items())

    def progress(self, current: int, event: Event) -> int:
        """The progress after ``event`` (which :meth:`matches`), never past ``count``."""
        if self.field is None:
            return min(current + 1, self.count)
        value = getattr(event, self.field, 0)
        reached = value if isinstance(value, int) and not isinstance(value, bool) else 0
        return min(max(current, reached), self.count)


class AchievementReward(BaseModel):
    """What unlocking a logro pays: besitos, an item of the catalog, both, or only the honour."""

    model_config = CONTENT_MODEL

    besitos: int = Field(default=0, ge=0, le=MAX_AMOUNT)
    item_id: ItemIdField | None = Field(default=None, alias="objeto")
    quantity: int = Field(default=1, alias="cantidad", ge=1, le=MAX_QUANTITY)


class AchievementDefinition(BaseModel):
    """One logro of the catalog."""

    model_config = CONTENT_MODEL

    id: Annotated[str, AfterValidator(_checked_id)]
    title: str = Field(alias="titulo", min_length=1, max_length=MAX_TITLE_LENGTH)
    description: str = Field(alias="descripcion", min_length=1, max_length=MAX_DESCRIPTION_LENGTH)
    rule: Rule = Field(alias="regla")
    reward: AchievementReward = Field(default_factory=AchievementReward, alias="recompensa")

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        data = unaccented_keys(data)
        if isinstance(data, dict):
            for key in ("regla", "recompensa"):
                if key in data:
                    data[key] = unaccented_keys(data[key])
        return data

    @property
    def label(self) -> str:
        """How messages name this entry."""
        return achievement_label(self.id)


def achievement_label(achievement_id: str) -> str:
    """How messages name a logro: ``logro «primera-compra»``."""
    return f"logro «{achievement_id}»"


@dataclass(frozen=True, slots=True)
class AchievementProblem:
    """One broken rule, about the logro at ``index``, at ``loc`` inside it."""

    index: int
    subject: str
    message: str
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def _numeric(kind: type[Event], name: str) -> bool:
    annotation = kind.model_fields[name].annotation
    return annotation is int


def check_achievements(
    achievements: Sequence[AchievementDefinition],
    *,
    events: EventLookup | None = None,
    known_types: Sequence[str] = (),
    catalog: ItemCatalog | None = None,
) -> tuple[AchievementProblem, ...]:
    """Every rule the logros break, in order; empty when they are whole.

    Always: unique ids. With ``events``: rules naming registered event types, filters and ``campo`` naming
    their fields (``campo`` a whole number). With ``catalog``: reward items it has.
    """
    problems: list[AchievementProblem] = []
    first: dict[str, int] = {}

    def add(index: int, achievement: AchievementDefinition, message: str, *loc: str | int) -> None:
        problems.append(AchievementProblem(index, achievement.label, message, loc))

    for index, achievement in enumerate(achievements):
        if achievement.id in first:
            add(
                index,
                achievement,
                f"el id «{achievement.id}» ya lo usa el logro n.º {first[achievement.id] + 1}.",
                "id",
            )
        first.setdefault(achievement.id, index)
        item = achievement.reward.item_id
        if catalog is not None and item is not None and item not in catalog:
            hint = did_you_mean(item, [known.id for known in catalog.items])
            add(
                index,
                achievement,
                f"el objeto «{item}» no está en el catálogo{hint}.",
                "recompensa",
                "objeto",
            )
        if events is None:
            continue
        rule = achievement.rule
        kind = events(rule.event)
        if kind is None:
            hint = did_you_mean(rule.event, known_types)
            add(index, achievement, f"no hay eventos «{rule.event}»{hint}.", "regla", "evento")
            continue
        own = [name for name in kind.model_fields if name not in Event.model_fields]
        for name in rule.filter:
            if name not in kind.model_fields:
                hint = did_you_mean(name, own) or "; sus campos son " + ", ".join(f"«{f}»" for f in own)
                add(
                    index,
                    achievement,
                    f"los eventos «{kind.event_type}» no tienen el campo «{name}»{hint}.",
                    "regla",
                    "filtro",
                )
        if rule.field is not None:
            if rule.field not in kind.model_fields:
                hint = did_you_mean(rule.field, own) or "; sus campos son " + ", ".join(f"«{f}»" for f in own)
                add(
                    index,
                    achievement,
                    f"los eventos «{kind.event_type}» no tienen el campo «{rule.field}»{hint}.",
                    "regla",
                    "campo",
                )
            elif not _numeric(kind, rule.field):
                add(index, achievement, f"el campo «{rule.field}» no es un número entero.", "regla", "campo")
    return tuple(problems)


@dataclass(frozen=True)
class AchievementCatalog:
    """The logros, in the order the creator listed them; whole by construction.

    Raises:
        InvalidAchievementCatalogError: the logros break a rule of :func:`check_achievements` (all listed).
    """

    achievements: tuple[AchievementDefinition, ...] = ()
    _by_id: Mapping[str, AchievementDefinition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "achievements", tuple(self.achievements))
        problems = check_achievements(self.achievements)
        if problems:
            raise InvalidAchievementCatalogError(problems)
        object.__setattr__(self, "_by_id", {a.id: a for a in self.achievements})

    def __iter__(self) -> Iterator[AchievementDefinition]:
        return iter(self.achievements)

    def __len__(self) -> int:
        return len(self.achievements)

    def get(self, achievement_id: str) -> AchievementDefinition | None:
        """Return the logro with that id, or ``None``."""
        return self._by_id.get(achievement_id)

    def event_types(self) -> tuple[str, ...]:
        """Every event type a logro counts, sorted: what the logros listen to."""
        return tuple(sorted({a.rule.event for a in self.achievements}))
