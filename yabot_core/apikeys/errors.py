"""Why a key was not created, found or accepted; each with a stable code and a Spanish message."""

from yabot_core.kernel import InvalidInputError, NotAuthenticatedError, NotFoundError


class MalformedKeyError(NotAuthenticatedError):
    """What was sent as a key is not shaped like one of ours."""

    code = "clave_malformada"
    default_message = "La clave de la API no tiene el formato esperado («yb_…»)."


class UnknownKeyError(NotAuthenticatedError):
    """The key is shaped right but is not one YABOT issued (or its secret part is wrong)."""

    code = "clave_desconocida"
    default_message = "La clave de la API no es válida."


class RevokedKeyError(NotAuthenticatedError):
    """The key was revoked: it stops working in every process at once."""

    code = "clave_revocada"
    default_message = "La clave de la API fue revocada; pida una nueva a la administración."


class UnknownScopeError(InvalidInputError):
    """A key was asked for with a scope no module offers."""

    code = "alcance_desconocido"


class InvalidKeyNameError(InvalidInputError):
    """A key's name is empty, too long or not printable."""

    code = "nombre_de_clave_invalido"


class KeyNotFoundError(NotFoundError):
    """No key has that id (or, for names, no active key has that name)."""

    code = "clave_no_encontrada"


class AmbiguousKeyNameError(InvalidInputError):
    """Several active keys share the name given: the operator must say which, by id."""

    code = "nombre_de_clave_ambiguo"
