"""Content problems: one Spanish line each, naming file, line and entry, all raised together at start-up."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from yabot_core.kernel import YabotError


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A content file and the name messages give it (``content/objetos.yaml``, relative to the data dir)."""

    path: Path
    shown_as: str

    @classmethod
    def of(cls, path: Path) -> "SourceFile":
        """The file shown by its own path (shipped files, tests)."""
        return cls(path, str(path))


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One thing wrong in the creator's content, rendered as one Spanish line by ``str()``.

    ``line`` counts from 1; ``entry`` names the entry the line belongs to (``objeto «llave-dorada»``).
    """

    file: str
    line: int | None
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, línea {self.line}"
        if self.entry:
            where = f"{where} ({self.entry})"
        return f"{where}: {self.message}"


class ContentError(YabotError):
    """The content has problems; ``problems`` lists every one, by file and line, so all are fixed at once.

    Problems are sorted by file (in the order of ``files``, then as they come) and by line within a file.
    """

    code = "contenido_invalido"

    def __init__(self, problems: Iterable[ContentProblem], *, files: Iterable[str] = ()) -> None:
        found = list(dict.fromkeys(problems))
        files = list(dict.fromkeys([*files, *(problem.file for problem in found)]))
        found.sort(key=lambda problem: (files.index(problem.file), problem.line or 0))
        self.problems = tuple(found)
        count = "un problema; corríjalo" if len(found) == 1 else f"{len(found)} problemas; corríjalos"
        lines = "\n".join(f"  {problem}" for problem in found)
        super().__init__(
            f"El contenido tiene {count} y vuelva a arrancar:\n{lines}",
            detail={"problems": [str(problem) for problem in found]},
        )
