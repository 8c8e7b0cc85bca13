"""Pydantic's validation errors, said in Spanish for the creator, one sentence each.

Errors our own validators raise (``PydanticCustomError``) already speak Spanish and pass through as they are.
"""

import datetime as dt
import re
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Final, Union, get_args, get_origin

from pydantic import AliasChoices, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_core.core_schema import ErrorType

from yabot_core.kernel import did_you_mean

_BUILTIN_TYPES: Final = frozenset(get_args(ErrorType))

_SHOWN: Final = 40
"""Longer texts are cut when a message quotes them."""

_Builder = Callable[[str, object, Mapping[str, Any], FieldInfo | None], str]
"""Builds a message from its subject (``«nombre»``), the bad value, pydantic's context and the field."""

_LIST_HINT: Final = "cada elemento en su línea, empezando por «- », o entre corchetes: [a, b]"


def quoted_list(words: Sequence[str], conjunction: str = "o") -> str:
    """``«a», «b» o «c»``."""
    shown = [f"«{word}»" for word in words]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {conjunction} {shown[-1]}"


def describe(value: object) -> str:  # noqa: PLR0911  # one answer per kind of value
    """Name a YAML value's kind the way the creator would: ``una lista``, ``el número 3``."""
    if value is None:
        return "un valor vacío"
    if isinstance(value, bool):
        return "un sí/no"
    if isinstance(value, int | float):
        return f"el número {value}"
    if isinstance(value, str):
        return f"el texto «{value if len(value) <= _SHOWN else value[: _SHOWN - 1] + '…'}»"
    if isinstance(value, dt.date):
        return "una fecha"
    if isinstance(value, Mapping):
        return "un bloque de campos"
    if isinstance(value, list | tuple):
        return "una lista"
    return "un valor de otro tipo"


def spanish(error: ErrorDetails, model: type[BaseModel]) -> str:
    """One Spanish sentence (ending in a full stop) for one of pydantic's errors on ``model``."""
    kind = error["type"]
    if kind not in _BUILTIN_TYPES:
        return error["msg"]
    loc = tuple(error["loc"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return f"falta {_subject(loc, field='el campo ')}."
    if kind == "extra_forbidden":
        return _unknown_field(str(loc[-1]), model, loc[:-1])
    if kind in ("value_error", "assertion_error"):
        return f"{_subject(loc)}: {ctx.get('error', '')}".rstrip(".") + "."
    builder = _MESSAGES.get(kind)
    subject = _subject(loc)
    if builder is not None:
        return builder(subject, value, ctx, _field_at(model, loc))
    return f"{subject} no es válido."


def _subject(loc: Sequence[str | int], *, field: str = "") -> str:
    """What the sentence is about: ``«nombre»``, or ``el elemento n.º 2 de «ingredientes»``."""
    names = [part for part in loc if isinstance(part, str)]
    if not loc:
        return "el contenido"
    if isinstance(loc[-1], int):
        of = f" de «{names[-1]}»" if names else ""
        return f"el elemento n.º {loc[-1] + 1}{of}"
    return f"{field}«{loc[-1]}»"


def _unknown_field(name: str, model: type[BaseModel], parent: Sequence[str | int]) -> str:
    allowed = _names_at(model, parent)
    hint = did_you_mean(name, allowed)
    if hint or not allowed:
        return f"campo desconocido «{name}»{hint}."
    return f"campo desconocido «{name}»; aquí se admiten {quoted_list(allowed, 'y')}."


def _empty_or(usual: str, when_empty: str) -> _Builder:
    """A message that says so when the value was left empty (``nombre:`` with nothing after it)."""

    def build(subject: str, value: object, ctx: Mapping[str, Any], info: FieldInfo | None) -> str:  # noqa: ARG001  # one signature for all
        return f"{subject} está vacío; {when_empty}." if value is None else f"{subject} {usual}."

    return build


def _length(subject: str, value: object, ctx: Mapping[str, Any], info: FieldInfo | None) -> str:  # noqa: ARG001
    low, high = _length_bounds(info)
    actual = ctx.get("actual_length")
    has = f" (tiene {actual})" if actual is not None else ""
    if low is not None and low == high:
        return f"{subject} debe tener exactamente {low} elementos{has}."
    if "min_length" in ctx:
        return f"{subject} necesita al menos {ctx['min_length']} elementos{has}."
    return f"{subject} admite como máximo {ctx.get('max_length')} elementos{has}."


def _text_length(subject: str, value: object, ctx: Mapping[str, Any], info: FieldInfo | None) -> str:  # noqa: ARG001
    if "min_length" in ctx:
        if ctx["min_length"] <= 1:
            return f"{subject} no puede estar vacío."
        return f"{subject} debe tener al menos {ctx['min_length']} caracteres."
    has = f" (tiene {len(value)})" if isinstance(value, str) else ""
    return f"{subject} admite como máximo {ctx.get('max_length')} caracteres{has}."


def _choice(subject: str, value: object, ctx: Mapping[str, Any], info: FieldInfo | None) -> str:  # noqa: ARG001
    options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    if not options:
        return f"{subject} no es uno de los valores admitidos."
    hint = did_you_mean(str(value), options) if isinstance(value, str) else ""
    return f"{subject} debe ser {quoted_list(options)}{hint}."


def _bound(relation: str, key: str) -> _Builder:
    def build(subject: str, value: object, ctx: Mapping[str, Any], info: FieldInfo | None) -> str:  # noqa: ARG001
        return f"{subject} debe ser {relation} {ctx.get(key)}."

    return build


def _fixed(text: str) -> _Builder:
    def build(subject: str, value: object, ctx: Mapping[str, Any], info: FieldInfo | None) -> str:  # noqa: ARG001
        return f"{subject} {text}"

    return build


def _block(subject: str, value: object, ctx: Mapping[str, Any], info: FieldInfo | None) -> str:  # noqa: ARG001
    return f"{subject} debe ser un bloque de campos «nombre: valor», no {describe(value)}."


_TEXT: Final = (
    "debe ser un texto; si es un número, una fecha o un sí/no, escríbalo entre comillas",
    "escriba un texto",
)
_FLAG: Final = ("debe ser verdadero o falso (sí o no)", "escriba sí o no")
_WHOLE: Final = ("debe ser un número entero", "escriba un número entero")
_NUMBER: Final = ("debe ser un número", "escriba un número")
_LIST: Final = (f"debe ser una lista ({_LIST_HINT})", f"escriba una lista ({_LIST_HINT})")

_MESSAGES: Final[Mapping[str, _Builder]] = {
    "string_type": _empty_or(*_TEXT),
    "string_sub_type": _empty_or(*_TEXT),
    "bool_type": _empty_or(*_FLAG),
    "bool_parsing": _empty_or(*_FLAG),
    "int_type": _empty_or(*_WHOLE),
    "int_parsing": _empty_or(*_WHOLE),
    "int_from_float": _empty_or(*_WHOLE),
    "float_type": _empty_or(*_NUMBER),
    "float_parsing": _empty_or(*_NUMBER),
    "list_type": _empty_or(*_LIST),
    "tuple_type": _empty_or(*_LIST),
    "set_type": _empty_or(*_LIST),
    "iterable_type": _empty_or(*_LIST),
    "too_short": _length,
    "too_long": _length,
    "string_too_short": _text_length,
    "string_too_long": _text_length,
    "enum": _choice,
    "literal_error": _choice,
    "greater_than": _bound("mayor que", "gt"),
    "greater_than_equal": _bound("mayor o igual que", "ge"),
    "less_than": _bound("menor que", "lt"),
    "less_than_equal": _bound("menor o igual que", "le"),
    "string_pattern_mismatch": _fixed("no tiene la forma esperada."),
    "model_type": _block,
    "model_attributes_type": _block,
    "dict_type": _block,
}


# --- reading the model's own shape, for suggestions and exact lengths ----------------------------------


def _unwrapped(annotation: Any) -> Any:  # noqa: ANN401  # a type expression
    """The type under ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _names(name: str, info: FieldInfo) -> list[str]:
    """The keys a field answers to, the creator's (alias) first."""
    names: list[str] = []
    alias = info.validation_alias
    if isinstance(alias, str):
        names.append(alias)
    elif isinstance(alias, AliasChoices):
        names.extend(choice for choice in alias.choices if isinstance(choice, str))
    if info.alias:
        names.append(info.alias)
    names.append(name)
    return list(dict.fromkeys(names))


def _walk(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[Any, FieldInfo | None]:
    """The annotation and field at ``loc`` inside ``model``; parts that match nothing are passed over."""
    annotation: Any = model
    info: FieldInfo | None = None
    for part in loc:
        current = _unwrapped(annotation)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            found = next(
                (field for name, field in current.model_fields.items() if part in _names(name, field)), None
            )
            if found is not None:
                annotation, info = found.annotation, found
        elif isinstance(part, int) and get_origin(current) in (list, tuple, set, frozenset, Sequence):
            args = [arg for arg in get_args(current) if arg is not Ellipsis]
            annotation, info = (args[0] if args else Any), None
    return annotation, info


def _names_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    current = _unwrapped(_walk(model, loc)[0])
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [_names(name, field)[0] for name, field in current.model_fields.items()]


def _field_at(model: type[BaseModel], loc: Sequence[str | int]) -> FieldInfo | None:
    return _walk(model, loc)[1] if loc else None


def _length_bounds(info: FieldInfo | None) -> tuple[int | None, int | None]:
    if info is None:
        return None, None
    low = next((m.min_length for m in info.metadata if hasattr(m, "min_length")), None)
    high = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
    return low, high
