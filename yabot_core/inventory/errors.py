"""The inventory's errors, each with a stable code and a Spanish message.

Messages name items by their catalog name and read the same to a fan, an operator or an API client.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yabot_core.kernel import DomainError, InvalidInputError, NotFoundError, spanish_number

if TYPE_CHECKING:
    from yabot_core.inventory.catalog import CatalogProblem


class InvalidCatalogError(InvalidInputError):
    """An items catalog broke its own rules (a recipe naming an unknown item, a repeated id...).

    ``problems`` holds every broken rule, not only the first, so whoever wrote the catalog fixes them at once.
    """

    code = "catalogo_invalido"

    def __init__(self, problems: Sequence["CatalogProblem"]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"El catálogo de objetos no es coherente:\n{lines}",
            detail={"problems": [str(problem) for problem in self.problems]},
        )


class UnknownItemError(NotFoundError):
    """No item of the catalog has that id. ``hint`` may suggest the id that was probably meant."""

    code = "objeto_desconocido"

    def __init__(self, item_id: str, hint: str = "") -> None:
        super().__init__(f"No existe ningún objeto con el id «{item_id}»{hint}.", detail={"item_id": item_id})


class InvalidQuantityError(InvalidInputError):
    """A quantity that is not a whole number within the limits."""

    code = "cantidad_invalida"
    default_message = "La cantidad debe ser un número entero positivo."


class NotEnoughItemsError(DomainError):
    """The mochila holds fewer of an item than the operation takes out."""

    code = "objetos_insuficientes"

    def __init__(self, *, item_id: str, name: str, held: int, needed: int) -> None:
        if held == 0:
            message = f"No hay ningún «{name}» en la mochila."
        else:
            message = f"No hay suficientes «{name}» en la mochila: hay {held} y hacen falta {needed}."
        super().__init__(message, detail={"item_id": item_id, "held": held, "needed": needed})


class ItemNotStackableError(DomainError):
    """The item is not stackable and the mochila would hold more than one."""

    code = "objeto_no_apilable"

    def __init__(self, *, item_id: str, name: str, held: int) -> None:
        already = " y ya hay uno" if held else ""
        super().__init__(
            f"«{name}» no es apilable: en una mochila solo cabe uno{already}.",
            detail={"item_id": item_id, "held": held},
        )


class MaxQuantityError(DomainError):
    """The mochila would hold more of a stackable item than its ``cantidad_maxima``."""

    code = "cantidad_maxima_superada"

    def __init__(self, *, item_id: str, name: str, held: int, limit: int) -> None:
        super().__init__(
            f"En una mochila caben como mucho {spanish_number(limit)} «{name}»,"
            f" y ya hay {spanish_number(held)}.",
            detail={"item_id": item_id, "held": held, "limit": limit},
        )


class NoRecipeError(DomainError):
    """No recipe combines the two items."""

    code = "sin_receta"

    def __init__(self, *, first: str, second: str, first_name: str, second_name: str) -> None:
        if first == second:
            message = f"Dos «{first_name}» no se combinan en nada."
        else:
            message = f"«{first_name}» y «{second_name}» no se combinan en nada."
        super().__init__(message, detail={"items": [first, second]})
