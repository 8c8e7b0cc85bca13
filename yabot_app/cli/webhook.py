"""``yabot webhook``: tell Telegram where to push the bot's updates, or to stop, or what it has on record."""

import secrets
from typing import TYPE_CHECKING, Any

import click

from yabot_app.cli.runtime import fail, load_settings, run, with_container
from yabot_app.cli.spanish import SpanishGroup
from yabot_app.terminal import printable

if TYPE_CHECKING:
    from yabot_app.container import Container

WEBHOOK_PATH = "/telegram/webhook"
"""The route every YABOT process serves the webhook on (``yabot_adapters.http.WEBHOOK_PATH``)."""


@click.group(cls=SpanishGroup, help="El webhook: dónde entrega Telegram las actualizaciones del bot.")
def webhook() -> None:
    """Webhook commands."""


@webhook.command(
    "set",
    help=(
        "Registra URL (https, pública, terminada en /telegram/webhook) como webhook del bot, con el secreto"
        " de YABOT_WEBHOOK_SECRET (o uno nuevo con --secret auto) y los tipos de actualización que el bot"
        " atiende."
    ),
)
@click.argument("url")
@click.option(
    "--secret",
    "mode",
    metavar="auto",
    default=None,
    help="«auto»: genera un secreto nuevo (guárdelo después en YABOT_WEBHOOK_SECRET de cada proceso).",
)
def set_webhook(url: str, mode: str | None) -> None:
    """Call setWebhook with the secret and the dispatcher's update types."""
    settings = load_settings()
    if not url.startswith("https://"):
        fail("Telegram solo entrega a direcciones https:// (ponga el proxy con TLS delante de YABOT).")
    if mode not in {None, "auto"}:
        fail("--secret solo admite «auto»: el secreto se guarda en YABOT_WEBHOOK_SECRET, no en la orden.")
    if mode == "auto":
        secret = secrets.token_urlsafe(32)
    elif settings.webhook_secret is not None:
        secret = settings.webhook_secret.get_secret_value()
    else:
        fail("falta el secreto: defina YABOT_WEBHOOK_SECRET o use --secret auto para generar uno.")
    _need_bot(settings.telegram_state)

    async def work(container: "Container") -> list[str]:
        allowed = container.dispatcher().resolve_used_update_types()
        await _call(container.bot().set_webhook(url, secret_token=secret, allowed_updates=allowed))
        return allowed

    allowed = run(with_container(settings, work, telegram=True))
    click.echo(f"Webhook registrado: {printable(url)}")
    click.echo(f"Tipos de actualización: {', '.join(allowed)}")
    if not url.rstrip("/").endswith(WEBHOOK_PATH):
        click.echo(f"Aviso: YABOT atiende el webhook en {WEBHOOK_PATH}; compruebe que el proxy lleva ahí.")
    if mode == "auto":
        click.echo(f"Secreto generado: {secret}")
        click.echo("Guárdelo en YABOT_WEBHOOK_SECRET de cada proceso (entorno o .env) y reinícielos.")
    if settings.telegram_mode != "webhook":
        click.echo("Aviso: con YABOT_TELEGRAM_MODE=polling, `yabot run` sondearía y Telegram lo rechazaría.")


@webhook.command("delete", help="Borra el webhook: Telegram guarda las actualizaciones para el sondeo.")
def delete_webhook() -> None:
    """Call deleteWebhook."""
    settings = load_settings()
    _need_bot(settings.telegram_state)

    async def work(container: "Container") -> None:
        await _call(container.bot().delete_webhook())

    run(with_container(settings, work, telegram=True))
    click.echo("Webhook borrado: el bot puede recibir por sondeo (YABOT_TELEGRAM_MODE=polling).")


@webhook.command("info", help="Lo que Telegram tiene registrado: la URL, las pendientes, el último error.")
def webhook_info() -> None:
    """Call getWebhookInfo and print it."""
    settings = load_settings()
    _need_bot(settings.telegram_state)

    async def work(container: "Container") -> Any:  # noqa: ANN401  (aiogram's WebhookInfo, imported lazily)
        return await _call(container.bot().get_webhook_info())

    info = run(with_container(settings, work, telegram=True))
    if not info.url:
        click.echo("Sin webhook: el bot recibe por sondeo (polling).")
    else:
        click.echo(f"URL: {printable(info.url)}")
    click.echo(f"Actualizaciones pendientes: {info.pending_update_count}")
    if info.allowed_updates:
        click.echo(f"Tipos de actualización: {', '.join(info.allowed_updates)}")
    if info.last_error_message:
        when = f" ({info.last_error_date:%d/%m/%Y %H:%M} UTC)" if info.last_error_date else ""
        click.echo(f"Último error{when}: {printable(info.last_error_message)}")


def _need_bot(state: str) -> None:
    if state != "on":
        fail("falta el token del bot: defina YABOT_BOT_TOKEN.")


async def _call(request: Any) -> Any:  # noqa: ANN401  (any Bot API call)
    """Await a Bot API call; Telegram's refusal or an unreachable server becomes one Spanish line."""
    from aiogram.exceptions import TelegramAPIError, TelegramNetworkError  # noqa: PLC0415  (aiogram lazily)

    try:
        return await request
    except TelegramNetworkError as exc:
        fail(f"no se pudo hablar con Telegram: {exc.message}")
    except TelegramAPIError as exc:
        fail(f"Telegram rechazó la petición: {exc.message}")
