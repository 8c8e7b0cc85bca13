"""``yabot post``: publish a post in a channel now, with the reaction buttons under it."""

from typing import TYPE_CHECKING

import click

from yabot_app.cli.runtime import fail, load_settings, run, with_container
from yabot_app.cli.spanish import NonBlankText, SpanishGroup
from yabot_app.modules.reactions import ReactionsModule

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.group("post", cls=SpanishGroup, help="Publicaciones en los canales, con botones de reacción.")
def post_group() -> None:
    """Post commands."""


@post_group.command(help="Publica TEXTO ahora en el canal, con los botones de reacción debajo.")
@click.option(
    "--channel",
    "channel_id",
    type=int,
    required=True,
    metavar="ID",
    help="Id del canal o grupo (-100…); el bot debe ser administrador y poder publicar.",
)
@click.option("--protegido", "protect", is_flag=True, help="Impide reenviar y guardar la publicación.")
@click.argument(
    "text", metavar="TEXTO", type=NonBlankText("El texto de la publicación no puede estar vacío.")
)
def now(channel_id: int, text: str, *, protect: bool) -> None:
    """Publish ``text`` in the channel through the bot, with the reaction buttons."""
    settings = load_settings()
    if settings.telegram_state != "on":
        fail("para publicar hace falta el bot: defina YABOT_BOT_TOKEN.")

    async def work(container: "Container") -> int:
        posts = container.modules().get(ReactionsModule).posts
        if posts is None:  # pragma: no cover  (a container with Telegram on always builds them)
            fail("para publicar hace falta el bot: defina YABOT_BOT_TOKEN.")
        return await posts.publish(channel_id, text, protect_content=protect)

    message_id = run(with_container(settings, work, telegram=True))
    click.echo(f"Publicado en el canal {channel_id} (mensaje {message_id}), con botones de reacción.")
