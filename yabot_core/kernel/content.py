"""What the creator's catalogs share: slug ids, Spanish keys with or without accents, strict models.

Every validation message here is Spanish and reads on its own: it reaches the creator word for word.
"""

import re
from typing import Final

from pydantic import ConfigDict
from pydantic_core import PydanticCustomError

from yabot_core.kernel.spanish import unaccented

_SLUG: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(text: str) -> str:
    """Return ``text`` as an id would spell it: ``Llave Dorada`` becomes ``llave-dorada``."""
    plain = unaccented(text).lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))


def checked_slug(value: str, *, maximum: int, example: str) -> str:
    """Return ``value`` if it is a slug of at most ``maximum`` characters (for a pydantic validator).

    Raises:
        PydanticCustomError: too long, or not a slug; the message shows ``example`` and suggests the slug
            ``value`` probably meant.
    """
    if len(value) > maximum:
        raise PydanticCustomError(
            "id_demasiado_largo",
            "el id es demasiado largo: tiene {length} caracteres y el máximo es {maximum}.",
            {"length": len(value), "maximum": maximum},
        )
    if not _SLUG.fullmatch(value):
        suggestion = slugify(value)
        fits = suggestion and len(suggestion) <= maximum
        hint = f" (¿quiso decir «{suggestion}»?)" if fits else ""
        raise PydanticCustomError(
            "id_no_valido",
            "«{value}» no sirve como id: use solo letras minúsculas sin tilde, números y guiones entre"
            " palabras, como «{example}»{hint}.",
            {"value": value, "example": example, "hint": hint},
        )
    return value


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
