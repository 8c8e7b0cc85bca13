"""The inventory's errors, each with a stable code and a Spanish message."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yabot_core.kernel import InvalidInputError, NotFoundError

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
    """No item of the catalog has that id."""

    code = "objeto_desconocido"

    def __init__(self, item_id: str) -> None:
        super().__init__(f"No existe ningún objeto con el id «{item_id}».", detail={"item_id": item_id})
