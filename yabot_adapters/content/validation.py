"""Validating YAML content against a pydantic model, each error told in Spanish at its own line."""

from collections.abc import Collection
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from yabot_adapters.content.messages import spanish
from yabot_adapters.content.problems import ContentProblem, SourceFile
from yabot_adapters.content.reading import line_of, plain

M = TypeVar("M", bound=BaseModel)


def validate(
    node: object,
    model: type[M],
    *,
    source: SourceFile,
    entry: str | None = None,
    line: int | None = None,
    drop: Collection[str] = (),
) -> tuple[M | None, list[ContentProblem]]:
    """Validate a YAML node (a whole document or one entry of it) as ``model``.

    Returns the model, or ``None`` and one problem per error, each at the line of the key or item it is
    about. ``entry`` names the entry in every problem; ``line`` is the node's own line, for nodes that do not
    carry one (scalars); ``drop`` lists top-level keys that are not the model's (``quitar``).
    """
    data = plain(node)
    if isinstance(data, dict) and drop:
        data = {key: value for key, value in data.items() if key not in drop}
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = [
            ContentProblem(source.shown_as, line_of(node, error["loc"], line), entry, spanish(error, model))
            for error in exc.errors(include_url=False)
        ]
        return None, list(dict.fromkeys(problems))
