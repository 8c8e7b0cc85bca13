"""What the creator writes about reactions: what one pays, the day's cap, the buttons, the special ones.

The field aliases are the Spanish keys of her content file (``reacciones.yaml``); code uses the English
names. The first reaction of a fan to a message pays ``besitos``, at most ``daily_cap`` reactions a day
(in ``YABOT_TIMEZONE``'s calendar); a special reaction (its emoji listed in ``especiales``) also gives its
item, usually a pista. ``botones`` are the reactions offered as buttons under the bot's channel posts.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel, Field, model_validator

from yabot_core.inventory import MAX_QUANTITY, ItemCatalog, ItemIdField
from yabot_core.kernel import CONTENT_MODEL, did_you_mean, unaccented_keys
from yabot_core.reactions.errors import InvalidReactionContentError

MAX_BUTTONS: Final = 8
"""Buttons under one post: one row Telegram still shows readably on a phone."""
MAX_REACTION_BESITOS: Final = 1_000
MAX_DAILY_CAP: Final = 10_000
MAX_EMOJI_LENGTH: Final = 16


class SpecialReaction(BaseModel):
    """A reaction that also gives an item (a pista) the first time a fan reacts with it to a message."""

    model_config = CONTENT_MODEL

    emoji: str = Field(min_length=1, max_length=MAX_EMOJI_LENGTH)
    item_id: ItemIdField = Field(alias="objeto")
    quantity: int = Field(default=1, alias="cantidad", ge=1, le=MAX_QUANTITY)


class ReactionRules(BaseModel):
    """How reactions pay, and which buttons the bot's channel posts carry."""

    model_config = CONTENT_MODEL

    besitos: int = Field(default=1, ge=0, le=MAX_REACTION_BESITOS)
    daily_cap: int = Field(default=20, alias="tope_diario", ge=0, le=MAX_DAILY_CAP)
    buttons: tuple[str, ...] = Field(
        default=("❤️", "🔥", "😍"), alias="botones", min_length=1, max_length=MAX_BUTTONS
    )
    specials: tuple[SpecialReaction, ...] = Field(default=(), alias="especiales")

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        return unaccented_keys(data)

    def special(self, emoji: str) -> SpecialReaction | None:
        """The special reaction of ``emoji``, or ``None``."""
        return next((special for special in self.specials if special.emoji == emoji), None)

    def button(self, index: int) -> str | None:
        """The emoji of the button at ``index``, or ``None`` when there is no such button."""
        return self.buttons[index] if 0 <= index < len(self.buttons) else None


@dataclass(frozen=True, slots=True)
class ReactionProblem:
    """One broken rule, at ``loc`` inside the reactions' entry."""

    message: str
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return self.message


def check_reactions(rules: ReactionRules, catalog: ItemCatalog | None = None) -> tuple[ReactionProblem, ...]:
    """Every rule the content breaks: repeated buttons or specials, blank emojis, unknown items."""
    problems: list[ReactionProblem] = []
    seen: set[str] = set()
    for index, emoji in enumerate(rules.buttons):
        if not emoji.strip() or len(emoji) > MAX_EMOJI_LENGTH:
            problems.append(ReactionProblem(f"el botón n.º {index + 1} no es un emoji.", ("botones", index)))
        elif emoji in seen:
            problems.append(ReactionProblem(f"el botón «{emoji}» está repetido.", ("botones", index)))
        seen.add(emoji)
    specials: set[str] = set()
    for index, special in enumerate(rules.specials):
        if special.emoji in specials:
            message = f"la reacción especial «{special.emoji}» está repetida."
            problems.append(ReactionProblem(message, ("especiales", index, "emoji")))
        specials.add(special.emoji)
        if catalog is not None and special.item_id not in catalog:
            hint = did_you_mean(special.item_id, [item.id for item in catalog.items])
            message = f"el objeto «{special.item_id}» no está en el catálogo{hint}."
            problems.append(ReactionProblem(message, ("especiales", index, "objeto")))
    return tuple(problems)


def checked_rules(rules: ReactionRules, catalog: ItemCatalog | None = None) -> ReactionRules:
    """``rules`` if whole.

    Raises:
        InvalidReactionContentError: with every problem of :func:`check_reactions`.
    """
    problems = check_reactions(rules, catalog)
    if problems:
        raise InvalidReactionContentError(problems)
    return rules


def default_rules(buttons: Sequence[str] = ()) -> ReactionRules:
    """The rules with their defaults (and ``buttons``, when given): for tests and library users."""
    return ReactionRules.model_validate({"botones": list(buttons)} if buttons else {})
