"""The missions' errors, each with a stable code and a Spanish message."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yabot_core.kernel import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from yabot_core.missions.content import MissionProblem


class InvalidMissionCatalogError(InvalidInputError):
    """The missions broke their own rules; ``problems`` lists every one."""

    code = "misiones_invalidas"

    def __init__(self, problems: Sequence["MissionProblem"]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"Las misiones no son coherentes:\n{lines}",
            detail={"problems": [str(problem) for problem in self.problems]},
        )


class UnknownMissionError(NotFoundError):
    """No mission has that id. ``hint`` may suggest the id that was probably meant."""

    code = "mision_desconocida"

    def __init__(self, mission_id: str, hint: str = "") -> None:
        super().__init__(
            f"No existe ninguna misión con el id «{mission_id}»{hint}.", detail={"mission_id": mission_id}
        )
