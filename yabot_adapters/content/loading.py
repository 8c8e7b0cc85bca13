"""Loading one kind of content: the shipped file, the creator's over it, merged and checked as a whole."""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from yabot_adapters.content.merging import MergedContent, Section, merge
from yabot_adapters.content.problems import ContentError, ContentProblem, SourceFile
from yabot_adapters.content.reading import YamlDocument, creator_sources, load_yaml

T = TypeVar("T")

Checker = Callable[[MergedContent, list[ContentProblem]], T | None]
"""Builds the catalog from the merged entries, adding what is wrong to the problems (``None``: failed)."""


def load_merged(
    shipped: Path,
    creator_dir: Path | None,
    *,
    names: tuple[str, str],
    kind: str,
    sections: Sequence[Section],
    check: Checker[T],
) -> T:
    """Read ``shipped`` and the creator's file, merge them by ``sections``, and ``check`` the result.

    ``names`` are the creator's file's spelling and the other one refused beside it, in ``creator_dir``;
    ``kind`` names the file in the message about both (``objetos``).

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    problems: list[ContentProblem] = []
    documents: list[YamlDocument] = []
    sources = [SourceFile.of(shipped), *creator_sources(creator_dir, names, kind, problems)]
    for source in sources:
        document, found = load_yaml(source)
        problems.extend(found)
        if document is not None:
            documents.append(document)
    merged, found = merge(documents, sections)
    problems.extend(found)
    result = check(merged, problems)
    if problems or result is None:
        raise ContentError(problems, files=[source.shown_as for source in sources])
    return result
