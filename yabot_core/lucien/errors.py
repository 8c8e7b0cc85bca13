"""Lucien's errors."""

from yabot_core.kernel import InvalidInputError, NotFoundError, YabotError


class RecipientUnreachableError(YabotError):
    """Telegram will not deliver to this user: they blocked the bot, or never started it."""

    code = "destinatario_inalcanzable"

    def __init__(self, user_id: int, why: str) -> None:
        super().__init__(f"No se puede escribir al usuario {user_id}: {why}.", detail={"user_id": user_id})


class DeliveryUncertainError(YabotError):
    """Telegram may have received the message but never answered (a timeout, a connection cut mid-way).

    Not transient on purpose: sending it again could make the fan read it twice, so it is not retried.
    """

    code = "envio_incierto"

    def __init__(self, user_id: int) -> None:
        super().__init__(
            f"Telegram no confirmó el mensaje al usuario {user_id}: puede que le haya llegado o no.",
            detail={"user_id": user_id},
        )


class LucienMessageNotFoundError(NotFoundError):
    """No message of Lucien has that id."""

    code = "mensaje_no_encontrado"

    def __init__(self, key: str) -> None:
        super().__init__(f"No existe ningún mensaje programado con el id {key}.", detail={"id": key})


class MessageAlreadySentError(InvalidInputError):
    """The message left already (or was cancelled): it can no longer be cancelled."""

    code = "mensaje_ya_enviado"

    def __init__(self, key: str, state: str) -> None:
        done = {"sent": "ya se envió", "cancelled": "ya estaba cancelado", "skipped": "ya se descartó"}
        super().__init__(
            f"El mensaje {key} {done.get(state, 'ya no está pendiente')}.", detail={"id": key, "state": state}
        )


class InvalidMessageTextError(InvalidInputError):
    """The text of a message cannot be rendered (a variable Lucien does not know, a malformed placeable)."""

    code = "texto_de_mensaje_invalido"
