"""The story's errors, each with a stable code and a Spanish message in Lucien's voice."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from yabot_core.kernel import DomainError, ForbiddenError, InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from yabot_core.story.graph import StoryProblem


class InvalidStoryError(InvalidInputError):
    """A story broke its graph's rules; ``problems`` holds every one."""

    code = "historia_invalida"

    def __init__(self, story_id: str, problems: Sequence["StoryProblem"]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"La historia «{story_id}» no es coherente:\n{lines}",
            detail={"problems": [str(problem) for problem in self.problems]},
        )


class UnknownStoryError(NotFoundError):
    """No story has that id."""

    code = "historia_desconocida"

    def __init__(self, story_id: str) -> None:
        super().__init__(f"No conozco ninguna historia llamada «{story_id}».", detail={"story_id": story_id})


class UnknownFragmentError(NotFoundError):
    """No fragment of the story has that id."""

    code = "fragmento_desconocido"

    def __init__(self, story_id: str, fragment_id: str) -> None:
        super().__init__(
            f"La historia «{story_id}» no tiene ningún fragmento «{fragment_id}».",
            detail={"story_id": story_id, "fragment_id": fragment_id},
        )


class NoStoryError(NotFoundError):
    """No story is loaded at all."""

    code = "sin_historias"
    default_message = "Diana aún no ha escrito ninguna historia. Vuelva pronto, se lo ruego."


class StaleChoiceError(DomainError):
    """The decision is for a fragment the fan is no longer at (an old button, a double tap)."""

    code = "decision_caducada"
    default_message = "Esa página ya quedó atrás. Permítame recordarle dónde se encuentra ahora: /historia."


class UnknownChoiceError(DomainError):
    """The fragment has no such choice (forged or garbled button data)."""

    code = "opcion_desconocida"
    default_message = "Esa opción no figura en este pasaje. Le muestro las que sí: /historia."


class ConditionNotMetError(DomainError):
    """A condition of the choice does not hold for the fan now; ``reason`` says which."""

    code = "condicion_no_cumplida"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Aún no puede tomar ese camino: {reason}", detail={"reason": reason})


class VipRequiredError(ConditionNotMetError):
    """The choice is for VIP fans only."""

    code = "solo_vip"

    def __init__(self) -> None:
        DomainError.__init__(
            self,
            "Ese pasaje está reservado a quienes acompañan a Diana en su círculo VIP."
            " Si desea unirse, /vip le abrirá la puerta.",
        )


class VipFragmentError(ForbiddenError):
    """A fan who is not VIP asked for a VIP fragment's text (through the API)."""

    code = "fragmento_solo_vip"

    def __init__(self, fragment_id: str) -> None:
        super().__init__(
            "Ese fragmento está reservado a quienes acompañan a Diana en su círculo VIP. Si desea unirse,"
            " escriba /vip al bot.",
            detail={"fragment_id": fragment_id},
        )


class UnresolvableConditionError(ConditionNotMetError):
    """A condition cannot be checked yet (a mission, before missions exist): never silently true."""

    code = "condicion_no_comprobable"
