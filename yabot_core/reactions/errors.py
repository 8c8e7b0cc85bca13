"""The reactions' errors, each with a stable code and a Spanish message."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yabot_core.kernel import InvalidInputError

if TYPE_CHECKING:
    from yabot_core.reactions.content import ReactionProblem


class InvalidReactionContentError(InvalidInputError):
    """The reactions' content broke its own rules; ``problems`` lists every one."""

    code = "reacciones_invalidas"

    def __init__(self, problems: Sequence["ReactionProblem"]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"Las reacciones no son coherentes:\n{lines}",
            detail={"problems": [str(problem) for problem in self.problems]},
        )


class UnknownReactionButtonError(InvalidInputError):
    """A button press names a reaction the posts no longer offer (the creator changed the buttons)."""

    code = "reaccion_desconocida"

    def __init__(self, index: int) -> None:
        super().__init__("Esa reacción ya no está disponible.", detail={"button": index})
