"""The words of the creator's items file: ids, yes/no flags, item kinds, and helpers that explain mistakes.

Every validation message here is Spanish and reads on its own: it reaches the creator word for word.
"""

from enum import StrEnum
from typing import Annotated, Final, NewType

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from yabot_core.kernel import checked_slug, did_you_mean

ItemId = NewType("ItemId", str)
"""An item's id: a slug such as ``llave-dorada``, stable across catalog edits (mochilas store it)."""

MAX_ITEM_ID_LENGTH: Final = 64
MAX_NAME_LENGTH: Final = 64
MAX_DESCRIPTION_LENGTH: Final = 1000
MAX_QUANTITY: Final = 1_000_000
MAX_PRICE: Final = 1_000_000
"""The dearest an item may be in the tienda, in besitos: what one wallet movement may take."""
MAX_STOCK: Final = 1_000_000_000

_YES: Final = frozenset({"sí", "si", "verdadero"})
_NO: Final = frozenset({"falso"})


def _checked_item_id(value: str) -> ItemId:
    return ItemId(checked_slug(value, maximum=MAX_ITEM_ID_LENGTH, example="llave-dorada"))


ItemIdField = Annotated[ItemId, AfterValidator(_checked_item_id)]
"""An ``ItemId`` checked to be a slug of at most ``MAX_ITEM_ID_LENGTH`` characters."""


def _yes_no(value: object) -> object:
    """Read the Spanish words for yes and no too (``sí``, ``falso``); pydantic reads true/false/yes/no."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return value


YesNo = Annotated[bool, BeforeValidator(_yes_no)]
"""A flag the creator may write as ``sí``/``no`` as well as ``true``/``false``."""


class ItemKind(StrEnum):
    """What an item is: a plain object, or a pista (a hint the story hands out and recipes combine)."""

    ITEM = "item"
    PISTA = "pista"

    @property
    def word(self) -> str:
        """The Spanish word the creator writes for this kind in ``tipo:``."""
        return _KIND_WORDS[self]


_KIND_WORDS: Final = {ItemKind.ITEM: "objeto", ItemKind.PISTA: "pista"}


def kind_from_word(value: object) -> ItemKind:
    """Read ``tipo:``: «objeto» or «pista» (or the enum's own values), in any case."""
    if isinstance(value, ItemKind):
        return value
    word = value.strip().lower() if isinstance(value, str) else ""
    for kind, spanish in _KIND_WORDS.items():
        if word in {spanish, kind.value}:
            return kind
    hint = did_you_mean(word, list(_KIND_WORDS.values())) if word else ""
    raise PydanticCustomError("tipo_no_valido", "«tipo» debe ser «objeto» o «pista»{hint}.", {"hint": hint})
