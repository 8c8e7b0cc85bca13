"""The scheduled posts' errors, each with a stable code and a Spanish message."""

from yabot_core.kernel import ConflictError, InvalidInputError, NotFoundError, UnavailableError


class InvalidPostError(InvalidInputError):
    """A post that cannot be published as given (empty, too long, a bad time...)."""

    code = "publicacion_invalida"


class PostNotFoundError(NotFoundError):
    """No post has that id."""

    code = "publicacion_no_encontrada"

    def __init__(self, post_id: str) -> None:
        super().__init__(f"No hay ninguna publicación con el id «{post_id}».", detail={"post_id": post_id})


class PostNotEditableError(ConflictError):
    """The post already left (or is leaving), failed or was cancelled: it can no longer change."""

    code = "publicacion_no_editable"

    def __init__(self, post_id: str, state: str) -> None:
        super().__init__(
            f"La publicación «{post_id}» ya no se puede cambiar: está {state}.",
            detail={"post_id": post_id, "state": state},
        )


class ChannelNotConfiguredError(UnavailableError):
    """The post's channel has no id configured (``YABOT_FREE_CHANNEL_ID`` / ``YABOT_VIP_CHANNEL_ID``)."""

    code = "canal_no_configurado"

    def __init__(self, channel: str) -> None:
        super().__init__(f"El canal {channel} no está configurado.", detail={"channel": channel})


class PublishRefusedError(InvalidInputError):
    """Telegram refused the post for good (a bad file, no rights in the channel): retrying will not help."""

    code = "publicacion_rechazada"
