"""The users module's errors."""

from yabot_core.kernel import NotFoundError


class UserNotFoundError(NotFoundError):
    """No registered user has that id."""

    code = "usuario_no_encontrado"

    def __init__(self, user_id: int) -> None:
        super().__init__(
            f"No hay ningún usuario registrado con el id {user_id}.", detail={"user_id": user_id}
        )
