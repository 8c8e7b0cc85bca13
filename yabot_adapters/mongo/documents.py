"""Codecs between the core's models and the BSON documents the Mongo backend stores."""

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

Document = dict[str, Any]
"""A BSON document as PyMongo reads and writes it."""

M = TypeVar("M", bound=BaseModel)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def to_document(model: BaseModel, id_field: str, *, keep_id_field: bool = False) -> Document:
    """Return ``model`` as a document whose ``_id`` is the model's ``id_field``.

    Datetimes stay datetimes (BSON dates, milliseconds); enums are stored by value. ``keep_id_field`` stores
    the id under ``id_field`` too, for an index that needs it beside other fields (nx-27017 cannot put
    ``_id`` in a secondary index).
    """
    fields = {name: _plain(value) for name, value in model.model_dump(mode="python").items()}
    return {"_id": fields[id_field] if keep_id_field else fields.pop(id_field), **fields}


def from_document(model: type[M], document: Document, id_field: str) -> M:
    """Rebuild a model stored by :func:`to_document`, with or without ``keep_id_field``."""
    fields = dict(document)
    fields[id_field] = fields.pop("_id")
    return model.model_validate(fields)


def to_millis(moment: datetime) -> int:
    """Return ``moment`` as whole milliseconds since the epoch (what BSON keeps of it)."""
    return (moment - _EPOCH) // _MILLISECOND


def from_millis(millis: int) -> datetime:
    """Return the UTC instant ``millis`` milliseconds after the epoch."""
    return _EPOCH + millis * _MILLISECOND


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value
