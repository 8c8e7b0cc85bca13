"""The broadcasts' errors, each with a stable code and a Spanish message."""

from yabot_core.kernel import ConflictError, InvalidInputError, NotFoundError


class InvalidBroadcastError(InvalidInputError):
    """A broadcast that cannot be sent as given."""

    code = "difusion_invalida"


class UnknownCategoryError(InvalidInputError):
    """A category fans cannot choose about."""

    code = "categoria_desconocida"

    def __init__(self, category: str, known: list[str]) -> None:
        super().__init__(
            f"No existe la categoría «{category}». Las categorías son: {', '.join(known)}.",
            detail={"category": category, "known": known},
        )


class BroadcastNotFoundError(NotFoundError):
    """No broadcast has that id."""

    code = "difusion_no_encontrada"

    def __init__(self, broadcast_id: str) -> None:
        super().__init__(
            f"No hay ninguna difusión con el id «{broadcast_id}».", detail={"broadcast_id": broadcast_id}
        )


class BroadcastFinishedError(ConflictError):
    """The broadcast finished or was cancelled already."""

    code = "difusion_terminada"

    def __init__(self, broadcast_id: str, state: str) -> None:
        super().__init__(
            f"La difusión «{broadcast_id}» ya está {state}.",
            detail={"broadcast_id": broadcast_id, "state": state},
        )
