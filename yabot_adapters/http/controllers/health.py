"""Liveness and readiness probes for orchestrators and load balancers."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from litestar import Controller, get
from litestar.di import NamedDependency

from yabot_adapters.http.schemas import ErrorBody, LivenessStatus, ReadinessStatus, error_response
from yabot_core.kernel import UnavailableError, YabotError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReadinessCheck:
    """One dependency ``/readyz`` asks about: ``check`` returns when it is ready and raises when it is not.

    ``timeout_seconds`` bounds the wait, so a hung dependency makes the probe fail instead of hang.
    """

    name: str
    check: Callable[[], Awaitable[None]]
    timeout_seconds: float = 2.0


class NotReadyError(UnavailableError):
    """At least one readiness check failed; ``detail["checks"]`` says which and why."""

    code = "no_preparado"
    default_message = "YABOT todavía no está preparado para atender solicitudes; inténtelo en unos segundos."


class HealthController(Controller):
    """``/healthz`` says the process answers; ``/readyz`` says its dependencies do too."""

    tags = ["salud"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

    @get(
        "/healthz",
        summary="Comprobar que el proceso responde",
        description="Responde 200 mientras el proceso esté vivo; no consulta ninguna dependencia.",
        response_description="El proceso responde.",
    )
    async def liveness(self) -> LivenessStatus:
        """Answer without touching any dependency, so a slow database never gets the process restarted."""
        return LivenessStatus()

    @get(
        "/readyz",
        summary="Comprobar que YABOT puede atender solicitudes",
        description=(
            "Ejecuta cada comprobación de disponibilidad (almacenamiento, etc.) con un tiempo límite. "
            "Responde 200 si todas pasan y 503 `no_preparado` con el resultado de cada una si alguna falla."
        ),
        response_description="Todas las dependencias responden.",
        responses={
            503: error_response(
                "Alguna dependencia no responde; `detail.checks` dice cuál y por qué.",
                ErrorBody(
                    NotReadyError.code,
                    NotReadyError.default_message,
                    {"checks": {"storage": "error: sin respuesta en 2 s"}},
                ),
            )
        },
    )
    async def readiness(
        self, readiness_checks: NamedDependency[tuple[ReadinessCheck, ...]]
    ) -> ReadinessStatus:
        """Run every check at once and report each, so one failure does not hide the others."""
        outcomes = await asyncio.gather(*(_outcome(check) for check in readiness_checks))
        checks = {check.name: outcome for check, outcome in zip(readiness_checks, outcomes, strict=True)}
        if any(outcome != "ok" for outcome in outcomes):
            raise NotReadyError(detail={"checks": checks})
        return ReadinessStatus(status="ok", checks=checks)


async def _outcome(readiness_check: ReadinessCheck) -> str:
    """``"ok"`` or ``"error: ..."``; only YABOT's own Spanish messages are shown, never a driver's text."""
    try:
        async with asyncio.timeout(readiness_check.timeout_seconds):
            await readiness_check.check()
    except TimeoutError:
        return f"error: sin respuesta en {readiness_check.timeout_seconds:g} s"
    except YabotError as exc:
        return f"error: {exc.message}"
    except Exception:  # a probe reports every failure instead of raising it
        log.warning("readiness check %r failed", readiness_check.name, exc_info=True)
        return "error: la comprobación ha fallado"
    return "ok"
