"""The wallet's errors, each with a stable code and a Spanish message."""

from yabot_core.kernel import ConflictError, DomainError, InvalidInputError, NotFoundError


class InvalidAmountError(InvalidInputError):
    """An amount that is not a positive whole number within the limits."""

    code = "monto_invalido"
    default_message = "La cantidad de besitos debe ser un número entero positivo."


class InsufficientBesitosError(DomainError):
    """A debit or hold asked for more besitos than the spendable balance."""

    code = "saldo_insuficiente"

    def __init__(self, *, balance: int, requested: int) -> None:
        super().__init__(
            f"No hay besitos suficientes: el saldo es de {balance} y se necesitan {requested}.",
            detail={"balance": balance, "requested": requested},
        )


InsufficientBesitos = InsufficientBesitosError
"""The domain's own name for the error (DESIGN.md, section 4)."""


class HoldNotFoundError(NotFoundError):
    """No hold has that id."""

    code = "reserva_no_encontrada"

    def __init__(self, hold_id: str) -> None:
        super().__init__(f"No existe ninguna reserva con el id {hold_id}.", detail={"hold_id": hold_id})


class HoldAlreadySettledError(ConflictError):
    """The hold was already settled the other way (released when capturing, or captured when releasing)."""

    code = "reserva_ya_resuelta"

    def __init__(self, hold_id: str, status: str) -> None:
        verb = "liberada" if status == "released" else "cobrada"
        super().__init__(
            f"La reserva {hold_id} ya fue {verb}.", detail={"hold_id": hold_id, "status": status}
        )
