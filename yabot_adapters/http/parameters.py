"""Whole-number parameters of every route are written in plain ASCII digits, or the request is a 400.

Litestar parses path and query values leniently (msgspec's lax mode): ``1e3`` and ``1001.0`` become the
integers 1000 and 1001, so one id had many spellings (and logs, caches or audits keyed by the path saw
different ids for one user), while ``1.5`` was refused. This
``before_request`` hook runs before that parsing and refuses, for every integer parameter of the matched
route, any value that is not digits with at most a leading minus (a negative number is let through so that
its bound, ``must be >= 1``, is what the caller is told). The refusal is the same ``ValidationException``
Litestar raises for a wrong type, so the 400 looks like any other (``errors.py``).

Routes declare numeric path parameters as ``{name:str}`` and type the argument ``int``: a ``{name:int}``
path converter would have parsed the value with ``int()`` (``+7``, ``1_000``, Unicode digits) before this
hook could see it.
"""

import re
from typing import Annotated, Any, Final, TypeAlias

from litestar import Request
from litestar.enums import ParamType
from litestar.exceptions import ValidationException
from litestar.params import ParameterKwarg, PathParameter
from litestar.typing import FieldDefinition

from yabot_core.kernel import MAX_USER_ID

_PLAIN_INTEGER: Final = re.compile(r"[0-9]+|-[1-9][0-9]*")
_NOT_AN_INTEGER: Final = "Expected `int`"
"""Litestar's own wording for a wrong type, which ``errors.py`` turns into "Debe ser un número entero"."""

UserIdInPath: TypeAlias = Annotated[
    int, PathParameter(gt=0, le=MAX_USER_ID, description="Id de Telegram del usuario.")
]
"""The ``user_id`` of a route under ``/users/{user_id:str}`` (declared ``str``: see above)."""


async def require_plain_integers(request: Request[Any, Any, Any]) -> None:
    """Refuse the request if any integer path or query parameter is not written in plain digits.

    Raises:
        ValidationException: naming every such parameter, as Litestar's own validation does.
    """
    problems = [
        {"key": name, "source": source, "message": _NOT_AN_INTEGER}
        for name, source, values in _integer_values(request)
        if any(not _PLAIN_INTEGER.fullmatch(value) for value in values)
    ]
    if problems:
        raise ValidationException(detail="Whole numbers must be plain ASCII digits", extra=problems)


def _integer_values(request: Request[Any, Any, Any]) -> list[tuple[str, ParamType, list[str]]]:
    """The raw values given for each integer parameter of the route, by its public name and where it is."""
    handler = request.route_handler
    dependencies = handler.resolve_dependencies()
    found: list[tuple[str, ParamType, list[str]]] = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name in dependencies or not _is_integer(field):
            continue
        kwarg = field.kwarg_definition
        if name in request.path_params:
            raw = request.path_params[name]
            if isinstance(raw, str):  # a ``{name:int}`` converter already parsed it (see the module doc)
                found.append((name, ParamType.PATH, [raw]))
        elif not isinstance(kwarg, ParameterKwarg) or kwarg.param_type is ParamType.QUERY:
            key = (kwarg.name or kwarg.query or name) if isinstance(kwarg, ParameterKwarg) else name
            if values := request.query_params.getall(key, []):
                found.append((key, ParamType.QUERY, values))
    return found


def _is_integer(field: FieldDefinition) -> bool:
    """``int`` or ``int | None``; a ``bool`` is an ``int`` to Python but not a number here."""
    members = field.inner_types if field.is_union else (field,)
    return any(member.is_subclass_of(int) and not member.is_subclass_of(bool) for member in members)
