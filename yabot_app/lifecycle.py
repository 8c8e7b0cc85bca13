"""Start and stop a serving YABOT: storage, event relay, HTTP API and Telegram bot, in that order and back.

Stopping reverses the order: the bot stops taking updates, the API finishes its requests, the relay delivers
what is pending (for at most ``shutdown_timeout``), then storage closes. Events not delivered by then stay in
the outbox, durable, and the next start delivers them.
"""

import asyncio
import contextlib
import errno
import gc
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Sequence

import uvicorn
from litestar import Litestar

from yabot_app.container import Container
from yabot_app.errors import StartupError

log = logging.getLogger(__name__)

Report = Callable[[str], None]

_BIND_ERRORS = {
    errno.EADDRINUSE: "el puerto ya está en uso (¿otro YABOT en marcha?)",
    errno.EACCES: "no hay permiso para usar ese puerto",
    errno.EADDRNOTAVAIL: "esa dirección no pertenece a esta máquina",
}


class _EmbeddedUvicorn(uvicorn.Server):
    """Uvicorn minus its signal handling: YABOT handles SIGINT/SIGTERM and stops every piece in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """The Litestar app served by uvicorn inside our event loop.

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from ``trusted_proxies`` (IPs or CIDR
    networks); with none, uvicorn's proxy-headers support is off. Its default trusts them from loopback,
    so anyone on the machine could pick the client address the rate limiter counts by.
    """

    def __init__(
        self,
        app: Litestar,
        *,
        host: str,
        port: int,
        log_level: str,
        shutdown_timeout: float,
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            proxy_headers=bool(trusted_proxies),
            forwarded_allow_ips=list(trusted_proxies),
            log_config=None,
            # uvicorn sets its loggers to this level; below WARNING it repeats what the banner says
            log_level="debug" if log_level == "DEBUG" else "warning",
            access_log=log_level == "DEBUG",
            lifespan="on",
            timeout_graceful_shutdown=max(1, round(shutdown_timeout)),
        )
        self._server = _EmbeddedUvicorn(config)
        self._task: asyncio.Task[None] | None = None
        self.url = f"http://{host}:{port}"

    async def start(self) -> None:
        """Serve in the background; return once listening.

        Raises:
            StartupError: the address cannot be bound (port taken, say).
        """
        # Bind here rather than in uvicorn, which answers a taken port with sys.exit() inside its task.
        config = self._server.config
        try:
            sock = socket.create_server((config.host, config.port))
        except OSError as exc:
            reason = _BIND_ERRORS.get(exc.errno or 0, exc.strerror)
            msg = f"No se pudo abrir la API en {self.url}: {reason}. Revise YABOT_API_HOST y YABOT_API_PORT."
            raise StartupError(msg) from exc
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="yabot-http")
        while not self._server.started:
            if self._task.done():
                sock.close()
                msg = f"No se pudo servir la API en {self.url}."
                raise StartupError(msg) from self._task.exception()
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        """Stop accepting connections and finish the requests in flight."""
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception, SystemExit):
            await self._task


@contextlib.asynccontextmanager
async def working(container: Container) -> AsyncIterator[None]:
    """Start what works behind the doors; stop it in reverse order on exit.

    Storage, the modules (in dependency order), the event relay, the timers and the monitor that alerts
    the admins. ``serving`` opens the doors
    (HTTP, the bot) over it; a test may drive the app over it through Litestar's client instead.
    """
    settings = container.settings()
    async with contextlib.AsyncExitStack() as stack:
        storage = container.storage()
        await storage.open()
        stack.push_async_callback(storage.close)

        if settings.shared_state == "redis":
            # Made here (connecting lazily), closed last: the bot, the API and the relay all use it.
            stack.push_async_callback(container.shared_redis().close)

        if container.telegram():
            bot = container.bot()
            stack.push_async_callback(bot.session.close)  # after the relay stops: its handlers send messages
            stack.push_async_callback(container.dialog_storage().close)  # /admin's state

        # Route before anything commits: an event committed before the bus routes the storage is owed to
        # nobody and not kept, and a module's start commits (the expiry sweep closes what is already due).
        bus = container.event_routes()
        for plug, services in container.modules().each():
            await plug.start(services)
            stack.push_async_callback(plug.stop, services)

        await bus.start()
        stack.push_async_callback(bus.stop, drain_timeout=settings.shutdown_timeout)

        ticker = container.ticker()
        await ticker.start()
        stack.push_async_callback(ticker.stop)

        if settings.alert_check_seconds:
            monitor = container.monitor()
            await monitor.start()
            stack.push_async_callback(monitor.stop)
        yield


@contextlib.asynccontextmanager
async def serving(container: Container, report: Report) -> AsyncIterator[None]:
    """Start every piece of a serving process; stop them in reverse order on exit.

    What works behind the doors first (``working``), then the HTTP API, and last the bot, so nothing takes
    work before what it needs is running. In webhook mode the bot's worker starts before the API, whose
    webhook route feeds it, and stops after it.

    Raises:
        StartupError: a setting this process needs is missing (production's URLs, the webhook's secret).
    """
    settings = container.settings()
    missing = settings.missing_to_serve()
    if missing:
        how = f"perfil {settings.profile}, Telegram por {settings.telegram_mode}"
        msg = f"Falta configurar {', '.join(missing)} ({how})."
        raise StartupError(msg)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(working(container))
        modules = container.modules()
        telegram_on = container.telegram()
        webhook_on = telegram_on and settings.telegram_mode == "webhook"
        if webhook_on:
            updates = container.webhook_updates()
            await updates.start()
            stack.push_async_callback(updates.stop, timeout=settings.shutdown_timeout)

        http = HttpServer(
            container.http_app(),
            host=settings.api_host,
            port=settings.api_port,
            log_level=settings.log_level,
            shutdown_timeout=settings.shutdown_timeout,
            trusted_proxies=settings.api_trusted_proxies,
        )
        await http.start()
        stack.push_async_callback(http.stop)

        report(f"YABOT en marcha. Datos: {settings.describe_storage()}. Módulos: {', '.join(modules.names)}.")
        report(f"API: {http.url}  (salud: {http.url}/healthz · OpenAPI: {http.url}/api/v1/schema)")
        report("La API pide credenciales: créelas con `yabot apikey create NOMBRE --scope users:read`.")
        report(settings.describe_vip_channel())
        if webhook_on:
            report(
                f"Bot de Telegram por webhook: recibe en {http.url}/telegram/webhook tras el proxy"
                " (regístrelo con `yabot webhook set URL`)."
            )
        elif telegram_on:
            polling = container.telegram_polling()
            await polling.start(on_unauthorized=report)
            stack.push_async_callback(polling.stop, timeout=settings.shutdown_timeout)
            report(f"Bot de Telegram escuchando (API de Telegram: {settings.telegram_api_url}).")
        else:
            report(
                "Bot de Telegram apagado: defina YABOT_BOT_TOKEN (en el entorno o en .env) para encenderlo."
            )
        report("Pulse Ctrl+C para detener.")
        # Everything built so far lives as long as the process (aiogram alone makes ~190k objects): keep it
        # out of the cyclic collector's full passes, which otherwise stall the loop for ~100 ms each.
        gc.freeze()
        yield
        report("Deteniendo YABOT…")
    report("YABOT detenido.")
