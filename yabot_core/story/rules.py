"""Conditions a choice asks and effects a fragment or a choice has, as the creator writes them.

Each is a one-key block: ``- tiene: pista-del-reloj``, ``- besitos: 10``. The key says what it is (the union's
discriminator), further keys refine it (``cantidad``, ``en_minutos``). Messages are Spanish: they reach the
creator word for word.
"""

from datetime import timedelta
from typing import Annotated, ClassVar, Final

from pydantic import BaseModel, Discriminator, Field, Tag, field_validator, model_validator
from pydantic_core import PydanticCustomError

from yabot_core.inventory import ItemIdField, YesNo
from yabot_core.kernel import CONTENT_MODEL, checked_slug, unaccented
from yabot_core.story.fields import FlagField, FragmentIdField

MAX_GIVEN: Final = 100
MAX_AWARD: Final = 10_000
MAX_DELAY_MINUTES: Final = 60 * 24 * 365
MAX_DELAY_SECONDS: Final = 60 * 60
MAX_MESSAGE: Final = 1000


def quoted_words(words: list[str]) -> str:
    """``«a», «b» o «c»``."""
    shown = [f"«{word}»" for word in words]
    return f"{', '.join(shown[:-1])} o {shown[-1]}" if len(shown) > 1 else "".join(shown)


def _must_be_yes(value: bool, word: str) -> bool:  # a validator's value
    if value is not True:
        raise PydanticCustomError("solo_si", "escriba «{word}: sí» o quítelo.", {"word": word})
    return value


class _Rule(BaseModel):
    model_config = CONTENT_MODEL
    tag: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        if isinstance(data, dict):
            return {unaccented(key) if isinstance(key, str) else key: value for key, value in data.items()}
        return data


# --- conditions -----------------------------------------------------------------------------------------


class VipCondition(_Rule):
    """The fan is VIP now (asked through the subscriptions' ``VipStatus``)."""

    tag = "vip"
    vip: YesNo

    @field_validator("vip")
    @classmethod
    def _yes(cls, value: bool) -> bool:
        return _must_be_yes(value, "vip")


class HasItemCondition(_Rule):
    """The fan holds at least one of an item or pista in the mochila."""

    tag = "tiene"
    item: ItemIdField = Field(alias="tiene")


class MinBesitosCondition(_Rule):
    """The fan holds at least ``minimum`` besitos (nothing is spent)."""

    tag = "besitos_minimos"
    minimum: int = Field(alias="besitos_minimos", ge=1, le=MAX_AWARD * 100)


class FlagSetCondition(_Rule):
    """A flag of this story is set for the fan."""

    tag = "marca"
    flag: FlagField = Field(alias="marca")


class FlagUnsetCondition(_Rule):
    """A flag of this story is not set for the fan."""

    tag = "sin_marca"
    flag: FlagField = Field(alias="sin_marca")


class VisitedCondition(_Rule):
    """The fan has been through a fragment of this story."""

    tag = "visitado"
    fragment: FragmentIdField = Field(alias="visitado")


class MissionCondition(_Rule):
    """The fan completed a mission of the missions catalog at least once, named by its id.

    The loader refuses a name the catalog lacks; the engine asks the missions module (``Missions.completed``).
    An engine built without missions cannot check it: the choice stays closed, never silently open.
    """

    tag = "mision"
    mission: str = Field(alias="mision", min_length=1, max_length=64)

    @field_validator("mission")
    @classmethod
    def _slug(cls, value: str) -> str:
        return checked_slug(value, maximum=64, example="primera-semana")


# --- effects --------------------------------------------------------------------------------------------


class GiveItem(_Rule):
    """Put ``quantity`` of an item or pista in the fan's mochila (once per place in the story)."""

    tag = "dar"
    item: ItemIdField = Field(alias="dar")
    quantity: int = Field(default=1, alias="cantidad", ge=1, le=MAX_GIVEN)


class AwardBesitos(_Rule):
    """Credit besitos to the fan's wallet (once per place in the story)."""

    tag = "besitos"
    amount: int = Field(alias="besitos", ge=1, le=MAX_AWARD)


class SetFlag(_Rule):
    """Set a flag of this story for the fan."""

    tag = "marcar"
    flag: FlagField = Field(alias="marcar")


class ClearFlag(_Rule):
    """Clear a flag of this story for the fan."""

    tag = "desmarcar"
    flag: FlagField = Field(alias="desmarcar")


class ScheduleMessage(_Rule):
    """Have Lucien write to the fan later (a durable timer; once per place in the story).

    The delay is ``en_minutos`` plus ``en_segundos`` (a short pause, as if Lucien were thinking); none: now.
    """

    tag = "mensaje"
    text: str = Field(alias="mensaje", min_length=1, max_length=MAX_MESSAGE)
    delay_minutes: int = Field(default=0, alias="en_minutos", ge=0, le=MAX_DELAY_MINUTES)
    delay_seconds: int = Field(default=0, alias="en_segundos", ge=0, le=MAX_DELAY_SECONDS)

    @property
    def delay(self) -> timedelta:
        """How long after the step Lucien writes."""
        return timedelta(minutes=self.delay_minutes, seconds=self.delay_seconds)


class EndStory(_Rule):
    """The story ends here for the fan (``NarrativeCompleted``)."""

    tag = "fin"
    end: YesNo = Field(alias="fin")

    @field_validator("end")
    @classmethod
    def _yes(cls, value: bool) -> bool:
        return _must_be_yes(value, "fin")


_CONDITIONS: Final = (
    VipCondition,
    HasItemCondition,
    MinBesitosCondition,
    FlagSetCondition,
    FlagUnsetCondition,
    VisitedCondition,
    MissionCondition,
)
_EFFECTS: Final = (GiveItem, AwardBesitos, SetFlag, ClearFlag, ScheduleMessage, EndStory)


def _tag_of(kinds: tuple[type[_Rule], ...]) -> object:
    tags = [kind.tag for kind in kinds]

    def tag(value: object) -> str | None:
        if isinstance(value, _Rule):
            return value.tag
        if isinstance(value, dict):
            keys = [unaccented(key) for key in value if isinstance(key, str)]
            return next((key for key in keys if key in tags), None)
        return None

    return tag


_CONDITION_KEYS: Final = quoted_words([kind.tag for kind in _CONDITIONS])
_EFFECT_KEYS: Final = quoted_words([kind.tag for kind in _EFFECTS])

Condition = Annotated[
    Annotated[VipCondition, Tag("vip")]
    | Annotated[HasItemCondition, Tag("tiene")]
    | Annotated[MinBesitosCondition, Tag("besitos_minimos")]
    | Annotated[FlagSetCondition, Tag("marca")]
    | Annotated[FlagUnsetCondition, Tag("sin_marca")]
    | Annotated[VisitedCondition, Tag("visitado")]
    | Annotated[MissionCondition, Tag("mision")],
    Discriminator(
        _tag_of(_CONDITIONS),
        custom_error_type="condicion_desconocida",
        custom_error_message=f"cada condición empieza por una de estas claves: {_CONDITION_KEYS}.",
    ),
]
"""One condition of a choice, told apart by its key."""

Effect = Annotated[
    Annotated[GiveItem, Tag("dar")]
    | Annotated[AwardBesitos, Tag("besitos")]
    | Annotated[SetFlag, Tag("marcar")]
    | Annotated[ClearFlag, Tag("desmarcar")]
    | Annotated[ScheduleMessage, Tag("mensaje")]
    | Annotated[EndStory, Tag("fin")],
    Discriminator(
        _tag_of(_EFFECTS),
        custom_error_type="efecto_desconocido",
        custom_error_message=f"cada efecto empieza por una de estas claves: {_EFFECT_KEYS}.",
    ),
]
"""One effect of a fragment (on entry) or of a choice, told apart by its key."""
