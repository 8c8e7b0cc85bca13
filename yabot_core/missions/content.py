"""Missions as the creator writes them: an objective (event type, count, filter), a reward, a rhythm.

The field aliases are the Spanish keys of her content file; code uses the English names. An objective
counts events of one type (``daily_gift.claimed``…) whose fields equal the filter's values; a mission is
``unica`` (done once), ``diaria`` or ``semanal`` (done again each day or ISO week of the bot's time zone).
It is given on registration (``asignar: registro``), when an event of a type happens (``asignar:
subscription.started``), or only by an admin (``asignar: manual``); after ``caduca`` (a day) it stops.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, model_validator

from yabot_core.inventory import MAX_QUANTITY, ItemCatalog, ItemIdField
from yabot_core.kernel import CONTENT_MODEL, Event, checked_slug, did_you_mean, unaccented, unaccented_keys
from yabot_core.missions.errors import InvalidMissionCatalogError, UnknownMissionError
from yabot_core.wallet import MAX_AMOUNT

MAX_MISSION_ID_LENGTH: Final = 64
MAX_TITLE_LENGTH: Final = 64
MAX_DESCRIPTION_LENGTH: Final = 500
MAX_COUNT: Final = 10_000
REGISTRATION: Final = "registro"
"""``asignar: registro``: every fan gets the mission when they register (``user.registered``)."""
MANUAL: Final = "manual"
"""``asignar: manual``: only an admin gives it (``yabot missions assign``)."""
REGISTERED_EVENT: Final = "user.registered"

FilterValue = str | int | bool


class MissionKind(StrEnum):
    """How often a mission may be done: once, or again each day or ISO week."""

    ONCE = "unica"
    DAILY = "diaria"
    WEEKLY = "semanal"


def _kind(value: object) -> object:
    return unaccented(value.strip().lower()) if isinstance(value, str) else value


def _checked_mission_id(value: str) -> str:
    return checked_slug(value, maximum=MAX_MISSION_ID_LENGTH, example="primer-regalo")


class Objective(BaseModel):
    """``count`` events of type ``event`` whose fields equal ``filter``'s values."""

    model_config = CONTENT_MODEL

    event: str = Field(alias="evento", min_length=1, max_length=64)
    count: int = Field(default=1, alias="cantidad", ge=1, le=MAX_COUNT)
    filter: dict[str, FilterValue] = Field(default_factory=dict, alias="filtro")

    def matches(self, event: Event) -> bool:
        """Whether ``event`` counts towards this objective."""
        if event.event_type != self.event:
            return False
        return all(str(getattr(event, name, None)) == str(value) for name, value in self.filter.items())


class Reward(BaseModel):
    """What completing a mission pays: besitos, an item of the catalog, or both."""

    model_config = CONTENT_MODEL

    besitos: int = Field(default=0, ge=0, le=MAX_AMOUNT)
    item_id: ItemIdField | None = Field(default=None, alias="objeto")
    quantity: int = Field(default=1, alias="cantidad", ge=1, le=MAX_QUANTITY)


class MissionDefinition(BaseModel):
    """One mission of the catalog."""

    model_config = CONTENT_MODEL

    id: Annotated[str, AfterValidator(_checked_mission_id)]
    title: str = Field(alias="titulo", min_length=1, max_length=MAX_TITLE_LENGTH)
    description: str = Field(alias="descripcion", min_length=1, max_length=MAX_DESCRIPTION_LENGTH)
    kind: Annotated[MissionKind, BeforeValidator(_kind)] = Field(default=MissionKind.ONCE, alias="tipo")
    assign: str = Field(default=REGISTRATION, alias="asignar", min_length=1, max_length=64)
    objective: Objective = Field(alias="objetivo")
    reward: Reward = Field(alias="recompensa")
    expires_on: date | None = Field(default=None, alias="caduca")

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        data = unaccented_keys(data)
        if isinstance(data, dict):
            for key in ("objetivo", "recompensa"):
                if key in data:
                    data[key] = unaccented_keys(data[key])
        return data

    @property
    def assign_on(self) -> str | None:
        """The event type that gives the mission, or ``None`` for a manual one."""
        if self.assign == MANUAL:
            return None
        return REGISTERED_EVENT if self.assign == REGISTRATION else self.assign

    @property
    def label(self) -> str:
        """How messages name this entry."""
        return mission_label(self.id)


def mission_label(mission_id: str) -> str:
    """How messages name a mission: ``misión «primer-regalo»``."""
    return f"misión «{mission_id}»"


@dataclass(frozen=True, slots=True)
class MissionProblem:
    """One broken rule, about the mission at ``index``, at ``loc`` inside it."""

    index: int
    subject: str
    message: str
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


EventLookup = Callable[[str], type[Event] | None]
"""Finds the event class of a type name (``None``: no such event)."""


def check_missions(
    missions: Sequence[MissionDefinition],
    *,
    events: EventLookup | None = None,
    known_types: Sequence[str] = (),
    catalog: ItemCatalog | None = None,
) -> tuple[MissionProblem, ...]:
    """Every rule the missions break, in order; empty when they are whole.

    Always: unique ids, rewards that give something. With ``events``: objectives and assignments naming
    known event types, filters naming their fields. With ``catalog``: reward items it has.
    """
    problems: list[MissionProblem] = []
    first: dict[str, int] = {}

    def add(index: int, mission: MissionDefinition, message: str, *loc: str | int) -> None:
        problems.append(MissionProblem(index, mission.label, message, loc))

    for index, mission in enumerate(missions):
        if mission.id in first:
            add(
                index, mission, f"el id «{mission.id}» ya lo usa la misión n.º {first[mission.id] + 1}.", "id"
            )
        first.setdefault(mission.id, index)
        reward = mission.reward
        if reward.besitos == 0 and reward.item_id is None:
            add(index, mission, "la recompensa no da nada: ponga «besitos», «objeto» o ambos.", "recompensa")
        if catalog is not None and reward.item_id is not None and reward.item_id not in catalog:
            hint = did_you_mean(reward.item_id, [item.id for item in catalog.items])
            add(
                index,
                mission,
                f"el objeto «{reward.item_id}» no está en el catálogo{hint}.",
                "recompensa",
                "objeto",
            )
        if events is None:
            continue
        kind = events(mission.objective.event)
        if kind is None:
            hint = did_you_mean(mission.objective.event, known_types)
            add(index, mission, f"no hay eventos «{mission.objective.event}»{hint}.", "objetivo", "evento")
        else:
            for name in mission.objective.filter:
                if name not in kind.model_fields:
                    fields = [f for f in kind.model_fields if f not in Event.model_fields]
                    hint = did_you_mean(name, fields) or "; sus campos son " + ", ".join(
                        f"«{f}»" for f in fields
                    )
                    add(
                        index,
                        mission,
                        f"los eventos «{kind.event_type}» no tienen el campo «{name}»{hint}.",
                        "objetivo",
                        "filtro",
                    )
        assign_on = mission.assign_on
        if assign_on is not None and events(assign_on) is None:
            hint = did_you_mean(assign_on, [REGISTRATION, MANUAL, *known_types])
            add(
                index,
                mission,
                f"«{mission.assign}» no es «registro», «manual» ni un tipo de evento{hint}.",
                "asignar",
            )
    return tuple(problems)


@dataclass(frozen=True)
class MissionCatalog:
    """The missions, in the order the creator listed them; whole by construction.

    Raises:
        InvalidMissionCatalogError: the missions break a rule of :func:`check_missions` (all listed).
    """

    missions: tuple[MissionDefinition, ...] = ()
    _by_id: Mapping[str, MissionDefinition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "missions", tuple(self.missions))
        problems = check_missions(self.missions)
        if problems:
            raise InvalidMissionCatalogError(problems)
        object.__setattr__(self, "_by_id", {mission.id: mission for mission in self.missions})

    def __iter__(self) -> Iterator[MissionDefinition]:
        return iter(self.missions)

    def __len__(self) -> int:
        return len(self.missions)

    def get(self, mission_id: str) -> MissionDefinition | None:
        """Return the mission with that id, or ``None``."""
        return self._by_id.get(mission_id)

    def mission(self, mission_id: str) -> MissionDefinition:
        """Return the mission with that id.

        Raises:
            UnknownMissionError: no mission has that id.
        """
        found = self.get(mission_id)
        if found is None:
            raise UnknownMissionError(mission_id, did_you_mean(mission_id, list(self._by_id)))
        return found

    def event_types(self) -> tuple[str, ...]:
        """Every event type a mission counts or is given on, sorted: what the missions listen to."""
        types = {mission.objective.event for mission in self.missions}
        types |= {on for mission in self.missions if (on := mission.assign_on) is not None}
        return tuple(sorted(types))
