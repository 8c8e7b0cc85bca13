"""Liveness and readiness probes of the HTTP API, over Litestar's test client."""

import asyncio
from collections.abc import Sequence
from typing import Any

from litestar.testing import AsyncTestClient

from tests.integration.http_apps import besitos_app, keys_only
from yabot_adapters.http import CORRELATION_HEADER, ReadinessCheck
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import UnavailableError
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService


async def probe(
    wallet: WalletService, users: UserDirectory, path: str, checks: Sequence[ReadinessCheck] = ()
) -> tuple[int, dict[str, str], Any]:
    async with AsyncTestClient(app=besitos_app(wallet, users, keys_only(), readiness=checks)) as client:
        response = await client.get(path)
    return response.status_code, dict(response.headers), response.json()


async def database_down() -> None:
    raise UnavailableError("La base de datos no responde.")


async def driver_failure() -> None:
    raise ConnectionRefusedError("connect to db.internal:5432 as yabot_admin refused")


async def hangs() -> None:
    await asyncio.sleep(30)


class TestLiveness:
    async def test_healthz_answers_ok(self, wallet: WalletService, users: UserDirectory) -> None:
        """``/healthz`` is 200 ``{"status": "ok"}`` whenever the process answers."""
        status, headers, body = await probe(wallet, users, "/healthz")

        assert (status, body) == (200, {"status": "ok"})
        assert CORRELATION_HEADER.lower() in headers

    async def test_healthz_ignores_failing_dependencies(
        self, wallet: WalletService, users: UserDirectory
    ) -> None:
        """Liveness asks no dependency: a failing readiness check does not make the process look dead."""
        status, _, body = await probe(wallet, users, "/healthz", [ReadinessCheck("storage", database_down)])

        assert (status, body) == (200, {"status": "ok"})


class TestReadiness:
    async def test_readyz_reports_each_passing_check(
        self, wallet: WalletService, users: UserDirectory, storage: InMemoryStorage
    ) -> None:
        """When every check passes, ``/readyz`` is 200 and names each one with ``"ok"``."""
        checks = [ReadinessCheck("storage", storage.ping), ReadinessCheck("bus", storage.ping)]

        status, _, body = await probe(wallet, users, "/readyz", checks)

        assert (status, body) == (200, {"status": "ok", "checks": {"storage": "ok", "bus": "ok"}})

    async def test_readyz_without_checks_is_ready(self, wallet: WalletService, users: UserDirectory) -> None:
        """With nothing to check, the app is ready."""
        status, _, body = await probe(wallet, users, "/readyz")

        assert (status, body) == (200, {"status": "ok", "checks": {}})

    async def test_a_failing_check_is_a_spanish_503(
        self, wallet: WalletService, users: UserDirectory, storage: InMemoryStorage
    ) -> None:
        """One failing check makes ``/readyz`` 503 ``no_preparado``, with ``Retry-After`` and all outcomes."""
        checks = [ReadinessCheck("storage", database_down), ReadinessCheck("bus", storage.ping)]

        status, headers, body = await probe(wallet, users, "/readyz", checks)

        assert status == 503
        assert int(headers["retry-after"]) > 0
        assert body == {
            "code": "no_preparado",
            "message": (
                "YABOT todavía no está preparado para atender solicitudes; inténtelo en unos segundos."
            ),
            "detail": {"checks": {"storage": "error: La base de datos no responde.", "bus": "ok"}},
        }

    async def test_a_driver_error_is_reported_without_its_text(
        self, wallet: WalletService, users: UserDirectory
    ) -> None:
        """A foreign exception fails the check with a generic Spanish reason; its text stays in the logs."""
        status, _, body = await probe(wallet, users, "/readyz", [ReadinessCheck("storage", driver_failure)])

        assert status == 503
        assert body["detail"] == {"checks": {"storage": "error: la comprobación ha fallado"}}
        assert "db.internal" not in str(body)

    async def test_a_hung_check_times_out(self, wallet: WalletService, users: UserDirectory) -> None:
        """A check that does not answer within its timeout fails instead of hanging the probe."""
        checks = [ReadinessCheck("storage", hangs, timeout_seconds=0.05)]

        status, _, body = await asyncio.wait_for(probe(wallet, users, "/readyz", checks), timeout=5)

        assert status == 503
        assert body["detail"] == {"checks": {"storage": "error: sin respuesta en 0.05 s"}}
