"""The trivia's errors, each with a stable code and a Spanish message."""

from yabot_core.kernel import NotFoundError


class QuestionNotFoundError(NotFoundError):
    """No trivia question has that id."""

    code = "pregunta_no_encontrada"

    def __init__(self, question_id: str) -> None:
        super().__init__(
            f"No existe ninguna pregunta de trivia con el id {question_id}.",
            detail={"question_id": question_id},
        )
