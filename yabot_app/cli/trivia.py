"""``yabot trivia``: create a question (sent as a quiz poll), list them, read a question's results, cancel."""

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import Delay, Moment, operator
from yabot_app.cli.runtime import fail, load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.trivia import TriviaModule
from yabot_app.terminal import printable
from yabot_core.trivia import MAX_OPTIONS, NewQuestion, TriviaQuestion
from yabot_core.wallet import MAX_AMOUNT

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.group("trivia", cls=SpanishGroup, help="Trivia: crear preguntas, verlas, sus resultados, cancelarlas.")
def trivia_group() -> None:
    """Trivia commands."""


@trivia_group.command(
    help=(
        "Crea una pregunta; el bot la envía como encuesta de quiz a los fans que la pidieron (/trivia) o a "
        "un grupo (--grupo)."
    )
)
@click.argument("text", metavar="PREGUNTA", type=NonBlankText("La pregunta no puede estar vacía."))
@click.option(
    "--opcion",
    "options",
    metavar="TEXTO",
    multiple=True,
    required=True,
    help="Una opción (repítalo: de 2 a 10).",
)
@click.option(
    "--correcta",
    type=PositiveInt("La opción correcta", MAX_OPTIONS),
    required=True,
    help="La correcta (1, 2…).",
)
@click.option(
    "--premio", type=PositiveInt("El premio", MAX_AMOUNT), required=True, help="Besitos por acertar."
)
@click.option("--explicacion", metavar="TEXTO", default=None, help="Lo que Telegram muestra tras responder.")
@click.option("--cierre", "closes_at", type=Moment(), default=None, help="Cuándo deja de premiar (ISO 8601).")
@click.option("--dura", "lasts", type=Delay(), default=None, help="O cuánto dura desde ahora (p. ej. 1h).")
@click.option(
    "--grupo",
    "group",
    metavar="ID_GRUPO",
    type=int,
    default=None,
    help="Id del grupo al que enviarla (negativo).",
)
def create(
    *,
    text: str,
    options: tuple[str, ...],
    correcta: int,
    premio: int,
    explicacion: str | None,
    closes_at: datetime | None,
    lasts: timedelta | None,
    group: int | None,
) -> None:
    """Create one question."""
    if (closes_at is None) == (lasts is None):
        fail("Indique el cierre con --cierre o con --dura (uno de los dos).")
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        service = container.modules().get(TriviaModule).trivia
        close = closes_at if closes_at is not None else service.now() + (lasts or timedelta(0))
        question = await service.create(
            NewQuestion(
                text=text,
                options=options,
                correct_option=correcta - 1,
                explanation=explicacion,
                reward=premio,
                closes_at=close,
            ),
            group_chat_id=group,
            actor=operator(),
        )
        where = f"al grupo {group}" if group is not None else "a los fans que la pidieron"
        click.echo(f"Pregunta {question.question_id} creada; el bot la enviará {where}.")

    run(with_container(settings, work))


@trivia_group.command("list", help="Muestra las preguntas, las que cierran más tarde primero.")
def list_questions() -> None:
    """Print the questions."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        service = container.modules().get(TriviaModule).trivia
        questions = await service.questions(limit=100)
        if not questions:
            click.echo("No hay preguntas de trivia.")
            return
        for question in questions:
            click.echo(_line(question, service.now(), settings.zone))

    run(with_container(settings, work))


@trivia_group.command(help="Muestra los resultados de una pregunta: envíos, respuestas, aciertos, premios.")
@click.argument("question_id", metavar="ID_PREGUNTA", type=NonBlankText("El id no puede estar vacío."))
def results(question_id: str) -> None:
    """Print a question's results."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        found = await container.modules().get(TriviaModule).trivia.results(question_id)
        question = found.question
        click.echo(f"«{printable(question.text)}»")
        click.echo(f"  Encuestas enviadas: {found.polls}")
        click.echo(f"  Respuestas: {found.answers}")
        click.echo(f"  Aciertos a tiempo (premiados): {found.rewarded}, {found.besitos} besitos en total")
        click.echo(f"  Aciertos fuera de plazo: {found.late}")
        click.echo(f"  Fallos: {found.wrong}")
        for number, (option, votes) in enumerate(zip(question.options, found.per_option, strict=True), 1):
            mark = " (correcta)" if number - 1 == question.correct_option else ""
            click.echo(f"  {number}. {printable(option)}{mark}: {votes}")

    run(with_container(settings, work))


@trivia_group.command(help="Cancela una pregunta: desde ahora nadie gana besitos con ella.")
@click.argument("question_id", metavar="ID_PREGUNTA", type=NonBlankText("El id no puede estar vacío."))
def cancel(question_id: str) -> None:
    """Cancel a question."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        question = await container.modules().get(TriviaModule).trivia.cancel(question_id, actor=operator())
        click.echo(f"Pregunta {question.question_id} cancelada.")

    run(with_container(settings, work))


def _line(question: TriviaQuestion, now: datetime, zone: tzinfo) -> str:
    if question.status.value == "cancelled":
        state = "cancelada"
    elif question.takes_answers(now):
        state = "abierta"
    else:
        state = "cerrada"
    closes = local_time(question.closes_at, zone)
    where = f"grupo {question.group_chat_id}" if question.group_chat_id is not None else "fans"
    return f"  {question.question_id}: «{printable(question.text)}» {state}, {where}, cierra {closes}"
