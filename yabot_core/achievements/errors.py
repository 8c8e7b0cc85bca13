"""The logros' errors, each with a stable code and a Spanish message."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yabot_core.kernel import InvalidInputError

if TYPE_CHECKING:
    from yabot_core.achievements.content import AchievementProblem


class InvalidAchievementCatalogError(InvalidInputError):
    """The logros broke their own rules; ``problems`` lists every one."""

    code = "logros_invalidos"

    def __init__(self, problems: Sequence["AchievementProblem"]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"Los logros no son coherentes:\n{lines}",
            detail={"problems": [str(problem) for problem in self.problems]},
        )
