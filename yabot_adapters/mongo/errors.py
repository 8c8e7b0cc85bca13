"""Translation of PyMongo's errors into the kernel's, so no driver exception leaves the adapter."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from yabot_core.kernel import UnavailableError, YabotError

REPLICA_SET_REQUIRED: Final = (
    "MongoDB debe ejecutarse como conjunto de réplicas (replica set) o detrás de mongos: un servidor "
    "independiente no admite transacciones. Inicia mongod con --replSet y ejecuta rs.initiate()."
)

_ILLEGAL_OPERATION: Final = 20
"""What a standalone mongod answers to a transaction."""

_TRANSIENT_LABELS: Final = ("TransientTransactionError", "RetryableWriteError", "NoWritesPerformed")


class StorageRejectedError(YabotError):
    """MongoDB refused an operation for a reason retrying will not fix (a bug or a broken deployment)."""

    code = "almacenamiento_rechazado"
    default_message = "La base de datos rechazó la operación."


def translate(exc: PyMongoError) -> YabotError:
    """Return the kernel's error for a driver error; unreachable or overloaded storage is unavailable."""
    if isinstance(exc, OperationFailure) and exc.code == _ILLEGAL_OPERATION and "ransaction" in str(exc):
        return UnavailableError(REPLICA_SET_REQUIRED)
    if (
        isinstance(exc, ConnectionFailure)
        or exc.timeout
        or any(exc.has_error_label(label) for label in _TRANSIENT_LABELS)
    ):
        return UnavailableError()
    return StorageRejectedError()


@contextmanager
def driver_errors() -> Iterator[None]:
    """Re-raise any PyMongo error inside the block as the kernel's error, chained to the original."""
    try:
        yield
    except PyMongoError as exc:
        raise translate(exc) from exc
