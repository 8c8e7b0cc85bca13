"""Checks code against the catalog: each ``render`` call names a text that exists and passes its variables.

The convention it relies on: texts are rendered only as ``<catalog>.render("text-id", name=value, ...)``,
with the id as a string literal and the variables as plain keywords, so every call can be checked without
running it. Any method called ``render`` is taken for one (the receiver is not looked at); pass ``method``
if the catalog is reached through another name.
"""

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from yabot_adapters.texts.catalog import Catalog


class CodeProblemKind(StrEnum):
    """Why a ``render`` call cannot be trusted."""

    UNKNOWN_ID = "unknown-id"
    MISSING_VARIABLE = "missing-variable"
    DYNAMIC_ID = "dynamic-id"
    DYNAMIC_ARGUMENTS = "dynamic-arguments"


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """A ``render`` call that would show the fallback text, or that cannot be checked."""

    file: Path
    line: int
    kind: CodeProblemKind
    detail: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.detail}"


def check_render_calls(
    paths: Iterable[Path], catalog: Catalog, *, method: str = "render"
) -> list[CodeProblem]:
    """Every problem in the ``render`` calls of the given Python files (folders: all ``*.py`` inside).

    Raises:
        SyntaxError: a file is not valid Python.
    """
    problems: list[CodeProblem] = []
    for path in _python_files(paths):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
            ):
                problems += _call_problems(path, node, catalog)
    return sorted(problems, key=lambda problem: (str(problem.file), problem.line, problem.detail))


def _call_problems(path: Path, call: ast.Call, catalog: Catalog) -> Iterator[CodeProblem]:
    first = call.args[0] if call.args else None
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        yield CodeProblem(
            path, call.lineno, CodeProblemKind.DYNAMIC_ID, "the text id is not a string literal"
        )
        return
    message_id = first.value
    if message_id not in catalog.ids():
        yield CodeProblem(
            path, call.lineno, CodeProblemKind.UNKNOWN_ID, f"text {message_id!r} does not exist"
        )
        return
    if any(keyword.arg is None for keyword in call.keywords):
        yield CodeProblem(
            path,
            call.lineno,
            CodeProblemKind.DYNAMIC_ARGUMENTS,
            f"text {message_id!r} gets **arguments; pass each variable by name",
        )
        return
    passed = {keyword.arg for keyword in call.keywords}
    for name in sorted(catalog.variables(message_id) - passed):
        yield CodeProblem(
            path,
            call.lineno,
            CodeProblemKind.MISSING_VARIABLE,
            f"text {message_id!r} needs the variable {name!r}, which the call does not pass",
        )


def _python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.py"))
        else:
            yield path
