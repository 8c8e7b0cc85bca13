"""The daily gift's errors, each with a stable code and a Spanish message."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yabot_core.kernel import InvalidInputError

if TYPE_CHECKING:
    from yabot_core.daily_gift.content import GiftProblem


class InvalidDailyGiftContentError(InvalidInputError):
    """The daily gift's content broke its own rules; ``problems`` lists every one."""

    code = "regalo_diario_invalido"

    def __init__(self, problems: Sequence["GiftProblem"]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"El regalo diario no es coherente:\n{lines}",
            detail={"problems": [str(problem) for problem in self.problems]},
        )
