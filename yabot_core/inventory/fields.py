"""The words of the creator's items file: ids, yes/no flags, item kinds, and helpers that explain mistakes.

Every validation message here is Spanish and reads on its own: it reaches the creator word for word.
"""

import re
from enum import StrEnum
from typing import Annotated, Final, NewType

from pydantic import AfterValidator, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from yabot_core.kernel import did_you_mean, unaccented

ItemId = NewType("ItemId", str)
"""An item's id: a slug such as ``llave-dorada``, stable across catalog edits (mochilas store it)."""

MAX_ITEM_ID_LENGTH: Final = 64
MAX_NAME_LENGTH: Final = 64
MAX_DESCRIPTION_LENGTH: Final = 1000
MAX_QUANTITY: Final = 1_000_000

_SLUG: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_YES: Final = frozenset({"sí", "si", "verdadero"})
_NO: Final = frozenset({"falso"})


def slugify(text: str) -> str:
    """Return ``text`` as an id would spell it: ``Llave Dorada`` becomes ``llave-dorada``."""
    plain = unaccented(text).lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))


def _checked_item_id(value: str) -> ItemId:
    if len(value) > MAX_ITEM_ID_LENGTH:
        raise PydanticCustomError(
            "id_demasiado_largo",
            "el id es demasiado largo: tiene {length} caracteres y el máximo es {maximum}.",
            {"length": len(value), "maximum": MAX_ITEM_ID_LENGTH},
        )
    if not _SLUG.fullmatch(value):
        suggestion = slugify(value)
        fits = suggestion and len(suggestion) <= MAX_ITEM_ID_LENGTH
        hint = f" (¿quiso decir «{suggestion}»?)" if fits else ""
        raise PydanticCustomError(
            "id_no_valido",
            "«{value}» no sirve como id: use solo letras minúsculas sin tilde, números y guiones entre"
            " palabras, como «llave-dorada»{hint}.",
            {"value": value, "hint": hint},
        )
    return ItemId(value)


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


def unaccented_keys(data: object) -> object:
    """Accept ``descripción`` for ``descripcion``: the creator types Spanish keys with or without accents."""
    if not isinstance(data, dict):
        return data
    renamed = {}
    for key, value in data.items():
        plain = unaccented(key) if isinstance(key, str) else key
        renamed[plain if plain not in data and plain not in renamed else key] = value
    return renamed


CONTENT_MODEL: Final = ConfigDict(
    frozen=True,
    extra="forbid",
    str_strip_whitespace=True,
    validate_by_alias=True,
    validate_by_name=True,
)
"""Content models are frozen, refuse unknown keys, trim spaces, and take Spanish aliases or English names."""
