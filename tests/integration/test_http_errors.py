"""Errors, correlation ids and rate limits of the HTTP API, over Litestar's test client."""

import logging
import re
from collections.abc import AsyncIterator, Iterator

import pytest
from litestar import Litestar, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from tests.integration.http_apps import besitos_app
from yabot_adapters.http import CORRELATION_HEADER
from yabot_adapters.http.auth import Authenticator
from yabot_core.kernel import (
    IdempotencyKeyReusedError,
    UnavailableError,
    YabotError,
    current_scope,
)
from yabot_core.users import UserDirectory
from yabot_core.wallet import (
    HoldNotFoundError,
    InsufficientBesitosError,
    InvalidAmountError,
    WalletService,
)

LEAKY_MESSAGE = "connection to db.internal:5432 refused for user yabot_admin"


@pytest.fixture(name="app")
def app_fixture(wallet: WalletService, users: UserDirectory, authenticator: Authenticator) -> Litestar:
    """The real app plus test-only routes that raise, so the error mapping is exercised end to end.

    The test routes are registered after the app was built, outside the API's router: they are open.
    """
    app = besitos_app(wallet, users, authenticator)

    @get("/api/v1/test/boom", sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError(LEAKY_MESSAGE)

    @get("/api/v1/test/raise/{kind:str}", sync_to_thread=False)
    def raise_core_error(kind: FromPath[str]) -> None:
        raise CORE_ERRORS[kind]

    @get("/api/v1/test/status/{status:int}", sync_to_thread=False)
    def raise_status(status: FromPath[int]) -> None:
        raise HTTPException(status_code=status)

    @get("/api/v1/test/scope", sync_to_thread=False)
    def scope() -> dict[str, str | None]:
        current = current_scope()
        return {"correlation_id": current.correlation_id if current else None}

    app.register(boom)
    app.register(raise_core_error)
    app.register(raise_status)
    app.register(scope)
    return app


@pytest.fixture(name="client")
async def client_fixture(app: Litestar, reader: str) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = reader
        yield client


CORE_ERRORS: dict[str, YabotError] = {
    "invalid_amount": InvalidAmountError(),
    "insufficient": InsufficientBesitosError(balance=3, requested=10),
    "hold_not_found": HoldNotFoundError("h-9"),
    "key_reused": IdempotencyKeyReusedError(detail={"idempotency_key": "k"}),
    "unavailable": UnavailableError(),
}


class TestErrorMapping:
    async def test_unknown_route_is_a_spanish_404(self, client: AsyncTestClient) -> None:
        """A path no route serves is 404 ``ruta_no_encontrada`` in Spanish JSON."""
        response = await client.get("/api/v1/nada")

        assert response.status_code == 404
        assert response.json() == {
            "code": "ruta_no_encontrada",
            "message": "No existe ninguna ruta con esa dirección.",
            "detail": {"path": "/api/v1/nada"},
        }

    async def test_a_huge_unknown_path_is_not_echoed_back(self, client: AsyncTestClient) -> None:
        """A 404 repeats at most the first 200 characters of the path, however long it is."""
        path = "/api/v1/" + "x" * 60_000

        response = await client.get(path)

        assert response.status_code == 404
        shown = response.json()["detail"]["path"]
        assert (len(shown), shown[:-1], shown[-1]) == (200, path[:199], "…")
        assert len(response.content) < 1_000

    async def test_a_huge_method_is_not_echoed_back(self, client: AsyncTestClient) -> None:
        """A 405 repeats at most the first 200 characters of an unknown method."""
        response = await client.request("X" * 10_000, "/api/v1/users/11/besitos")

        assert response.status_code == 405
        assert len(response.json()["detail"]["method"]) == 200
        assert len(response.content) < 1_000

    async def test_wrong_method_is_a_spanish_405(self, client: AsyncTestClient) -> None:
        """A known path with a method it does not serve is 405 ``metodo_no_permitido`` with ``Allow``."""
        response = await client.delete("/api/v1/users/11/besitos")

        assert response.status_code == 405
        assert "GET" in response.headers["allow"]
        body = response.json()
        assert (body["code"], body["message"]) == ("metodo_no_permitido", "Esta ruta no admite ese método.")
        assert body["detail"]["method"] == "DELETE"
        assert "GET" in body["detail"]["allowed"]

    async def test_a_405_names_head_where_get_is_served(self, client: AsyncTestClient) -> None:
        """HEAD is answered on every GET route, so a 405 lists it, in ``Allow`` and in the body alike."""
        response = await client.post("/api/v1/users/11/besitos")
        allowed = [method.strip() for method in response.headers["allow"].split(",")]
        assert {"GET", "HEAD"} <= set(allowed)
        assert response.json()["detail"]["allowed"] == allowed
        assert (await client.head("/api/v1/users/11/besitos")).status_code != 405

    async def test_unexpected_exception_is_a_generic_500(
        self, client: AsyncTestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An unexpected exception is 500 ``error_interno``: a generic Spanish message, no internals."""
        with caplog.at_level(logging.ERROR, logger="yabot_adapters.http"):
            response = await client.get("/api/v1/test/boom")

        assert response.status_code == 500
        body = response.json()
        assert body["code"] == "error_interno"
        assert body["message"].startswith("Ha ocurrido un error inesperado.")
        assert set(body["detail"]) == {"correlation_id"}
        for leak in ("db.internal", "yabot_admin", "RuntimeError", "Traceback", "boom", ".py"):
            assert leak not in response.text

    async def test_unexpected_exception_is_logged_with_the_correlation_id(
        self, client: AsyncTestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The 500's correlation id (header and body) names the log record that holds the exception."""
        with caplog.at_level(logging.ERROR, logger="yabot_adapters.http"):
            response = await client.get("/api/v1/test/boom", headers={CORRELATION_HEADER: "req-500"})

        assert response.headers[CORRELATION_HEADER] == "req-500"
        assert response.json()["detail"]["correlation_id"] == "req-500"
        [record] = [r for r in caplog.records if r.name == "yabot_adapters.http.errors"]
        assert "req-500" in record.getMessage()
        assert record.__dict__["correlation_id"] == "req-500"
        assert record.exc_info is not None
        assert isinstance(record.exc_info[1], RuntimeError)

    @pytest.mark.parametrize(
        ("kind", "status", "code"),
        [
            ("invalid_amount", 400, "monto_invalido"),
            ("insufficient", 422, "saldo_insuficiente"),
            ("hold_not_found", 404, "reserva_no_encontrada"),
            ("key_reused", 409, "clave_idempotencia_reutilizada"),
            ("unavailable", 503, "servicio_no_disponible"),
        ],
    )
    async def test_core_errors_keep_code_message_and_detail(
        self, client: AsyncTestClient, kind: str, status: int, code: str
    ) -> None:
        """Bad input 400, refused by a rule 422, missing 404, conflict 409, down 503, in the core's words."""
        error = CORE_ERRORS[kind]

        response = await client.get(f"/api/v1/test/raise/{kind}")

        assert response.status_code == status
        assert response.json() == {"code": code, "message": error.message, "detail": error.detail}

    async def test_unavailable_asks_to_retry_later(self, client: AsyncTestClient) -> None:
        """A 503 carries ``Retry-After`` in whole seconds."""
        response = await client.get("/api/v1/test/raise/unavailable")

        assert response.status_code == 503
        assert int(response.headers["retry-after"]) > 0


TU_FORMS = re.compile(
    r"\b(tú|tu|tus|te|ti|contigo|has|necesitas|tienes|puedes|quieres|estás|espera|revisa|comparte"
    r"|inténtalo|vuelve|identifícate|identificarte)\b",
    re.IGNORECASE,
)
"""Second-person "tú" forms; YABOT addresses every reader as "usted"."""


def every_error_class(cls: type[YabotError] = YabotError) -> Iterator[type[YabotError]]:
    yield cls
    for subclass in cls.__subclasses__():
        yield from every_error_class(subclass)


class TestUsted:
    @pytest.mark.parametrize(
        ("status", "message"),
        [
            (401, "Debe identificarse para acceder a este recurso."),
            (403, "No tiene permiso para acceder a este recurso."),
            (
                429,
                "Ha hecho demasiadas solicitudes seguidas; espere un momento antes de volver a intentarlo.",
            ),
        ],
    )
    async def test_client_errors_say_usted(self, client: AsyncTestClient, status: int, message: str) -> None:
        """401, 403 and 429 ask the reader, as "usted", to identify, to hold back, to wait."""
        response = await client.get(f"/api/v1/test/status/{status}")

        assert (response.status_code, response.json()["message"]) == (status, message)

    async def test_no_http_error_says_tu(self, client: AsyncTestClient) -> None:
        """No error the API can answer, Litestar's or the core's, addresses the reader as "tú"."""
        messages = [
            (await client.get(f"/api/v1/test/status/{status}")).json()["message"]
            for status in (400, 401, 403, 404, 405, 413, 415, 418, 429, 503)
        ]
        messages.append((await client.get("/api/v1/test/boom")).json()["message"])
        messages.append((await client.get("/api/v1/users/abc/besitos")).json()["message"])
        messages.extend(error.default_message for error in every_error_class())
        messages.extend(error.message for error in CORE_ERRORS.values())

        assert [message for message in messages if TU_FORMS.search(message)] == []


class TestCorrelation:
    async def test_a_given_id_is_echoed_and_scopes_the_handler(self, client: AsyncTestClient) -> None:
        """A safe ``X-Correlation-ID`` comes back unchanged and is the core's correlation id meanwhile."""
        response = await client.get("/api/v1/test/scope", headers={CORRELATION_HEADER: "tg-update:123_a.b"})

        assert response.headers[CORRELATION_HEADER] == "tg-update:123_a.b"
        assert response.json() == {"correlation_id": "tg-update:123_a.b"}

    async def test_an_id_is_generated_when_none_is_given(self, client: AsyncTestClient) -> None:
        """Without the header, each request gets a fresh id, echoed and used as the core's scope."""
        first = await client.get("/api/v1/test/scope")
        second = await client.get("/api/v1/test/scope")

        generated = first.headers[CORRELATION_HEADER]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
        assert first.json() == {"correlation_id": generated}
        assert second.headers[CORRELATION_HEADER] != generated

    @pytest.mark.parametrize(
        "unsafe", ["a" * 65, "dos palabras", "<script>", "-empieza-con-guion", "ñandú".encode()]
    )
    async def test_an_unsafe_id_is_replaced(self, client: AsyncTestClient, unsafe: str | bytes) -> None:
        """An id that is too long or has unsafe characters is replaced by a generated one, not refused."""
        response = await client.get("/api/v1/test/scope", headers={CORRELATION_HEADER: unsafe})

        assert response.status_code == 200
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers[CORRELATION_HEADER])

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/api/v1/users/404/besitos"),
            ("GET", "/api/v1/users/abc/besitos"),
            ("GET", "/ninguna/parte"),
            ("POST", "/healthz"),
            ("GET", "/api/v1/test/boom"),
            ("GET", "/healthz"),
        ],
    )
    async def test_every_response_echoes_the_id(
        self, client: AsyncTestClient, method: str, path: str
    ) -> None:
        """Errors too, even those raised before any route is found, echo ``X-Correlation-ID``."""
        response = await client.request(method, path, headers={CORRELATION_HEADER: "corr-1"})

        assert response.headers[CORRELATION_HEADER] == "corr-1"


class TestRateLimit:
    async def test_over_the_limit_is_a_spanish_429_with_retry_after(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator, reader: str
    ) -> None:
        """Past ``rate_limit_per_minute`` a client gets 429 ``demasiadas_solicitudes`` and ``Retry-After``."""
        app = besitos_app(wallet, users, authenticator, rate_limit_per_minute=2)
        async with AsyncTestClient(app=app) as client:
            client.headers["Authorization"] = reader
            allowed = [(await client.get("/api/v1/users/1/besitos")).status_code for _ in range(2)]
            response = await client.get("/api/v1/users/1/besitos", headers={CORRELATION_HEADER: "lim-1"})

        assert allowed == [404, 404]
        assert response.status_code == 429
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.headers[CORRELATION_HEADER] == "lim-1"
        body = response.json()
        assert body["code"] == "demasiadas_solicitudes"
        assert body["message"] == (
            "Ha hecho demasiadas solicitudes seguidas; espere un momento antes de volver a intentarlo."
        )

    async def test_probes_are_never_limited(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator
    ) -> None:
        """``/healthz`` and ``/readyz`` answer even after the client used up its quota."""
        app = besitos_app(wallet, users, authenticator, rate_limit_per_minute=1)
        async with AsyncTestClient(app=app) as client:
            await client.get("/api/v1/users/1/besitos")
            limited = await client.get("/api/v1/users/1/besitos")
            probes = [(await client.get(path)).status_code for path in ["/healthz", "/readyz"] * 3]

        assert limited.status_code == 429
        assert probes == [200] * 6

    async def test_none_disables_the_limit(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator, reader: str
    ) -> None:
        """``rate_limit_per_minute=None`` turns the limiter off: no 429 and no rate-limit headers."""
        app = besitos_app(wallet, users, authenticator, rate_limit_per_minute=None)
        async with AsyncTestClient(app=app) as client:
            client.headers["Authorization"] = reader
            responses = [await client.get("/api/v1/users/1/besitos") for _ in range(30)]

        assert {response.status_code for response in responses} == {404}
        assert "ratelimit-limit" not in responses[-1].headers

    @pytest.mark.parametrize("bad", [0, -5])
    def test_a_non_positive_limit_is_refused(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator, bad: int
    ) -> None:
        """A limit of zero or less is a configuration mistake, refused when the app is built."""
        with pytest.raises(ValueError, match="rate_limit_per_minute"):
            besitos_app(wallet, users, authenticator, rate_limit_per_minute=bad)
