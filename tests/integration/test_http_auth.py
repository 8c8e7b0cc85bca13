"""Who may call the API: 401 for missing or bad credentials, 403 for another fan's data, keys by scope."""

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from tests.contracts.common import OPERATOR
from tests.integration.http_apps import bearer, besitos_app, sign_init_data, tma
from yabot_adapters.http import create_app
from yabot_adapters.http.auth import Authenticator
from yabot_adapters.http.controllers import wallet_controller
from yabot_adapters.http.controllers.inventory import inventory_controller
from yabot_core.apikeys import ADMIN, USERS_READ, ApiKeys
from yabot_core.kernel import FakeClock, UserId
from yabot_core.users import UserDirectory, UserProfile
from yabot_core.wallet import WalletService

ANA = UserId(11)
BRUNO = UserId(12)
BESITOS = "/api/v1/users/{}/besitos"


@pytest.fixture(name="app")
async def app_fixture(wallet: WalletService, users: UserDirectory, authenticator: Authenticator) -> Litestar:
    for user_id, name in ((ANA, "Ana"), (BRUNO, "Bruno")):
        await users.register(UserProfile(user_id=user_id, first_name=name))
    return besitos_app(wallet, users, authenticator, rate_limit_per_minute=None)


@pytest.fixture(name="client")
async def client_fixture(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as client:
        yield client


async def call(client: AsyncTestClient, user_id: int, authorization: str | None) -> tuple[int, Any]:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await client.get(BESITOS.format(user_id), headers=headers)
    return response.status_code, response.json()


class TestWithoutCredentials:
    async def test_no_header_is_a_401_naming_the_schemes(self, client: AsyncTestClient) -> None:
        response = await client.get(BESITOS.format(ANA))

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer realm="YABOT", tma realm="YABOT"'
        body = response.json()
        assert body["code"] == "credenciales_ausentes"
        assert "Authorization" in body["message"]

    @pytest.mark.parametrize(
        ("authorization", "code"),
        [
            ("Basic YWxhZGRpbjpvcGVuc2VzYW1l", "credenciales_malformadas"),
            ("Bearer", "credenciales_malformadas"),
            ("Bearer    ", "credenciales_malformadas"),
            ("tma", "credenciales_malformadas"),
            ("yb_0123456789abcdef_" + "a" * 43, "credenciales_malformadas"),  # the key without its scheme
            ("Bearer not-a-key", "clave_malformada"),
            ("Bearer yb_0123456789ABCDEF_" + "a" * 43, "clave_malformada"),
            ("Bearer yb_0123456789abcdef_" + "a" * 44, "clave_malformada"),
            ("Bearer " + "x" * 10_000, "credenciales_malformadas"),
            ("Bearer yb_0123456789abcdef_" + "a" * 43, "clave_desconocida"),
        ],
    )
    async def test_malformed_or_unknown_credentials_are_a_401_with_their_reason(
        self, client: AsyncTestClient, authorization: str, code: str
    ) -> None:
        status, body = await call(client, ANA, authorization)

        assert (status, body["code"]) == (401, code)

    async def test_the_right_id_with_a_wrong_secret_is_unknown(
        self, client: AsyncTestClient, api_keys: ApiKeys
    ) -> None:
        """Knowing a key's id (it is public: ``yabot apikey list`` shows it) opens nothing."""
        real = (await api_keys.create("panel", [USERS_READ], actor=OPERATOR)).token
        forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")

        assert (await call(client, ANA, f"Bearer {forged}"))[0] == 401
        assert (await call(client, ANA, f"Bearer {forged}"))[1]["code"] == "clave_desconocida"

    async def test_the_error_never_repeats_the_credential(self, client: AsyncTestClient) -> None:
        secret = "yb_0123456789abcdef_" + "s" * 43
        response = await client.get(BESITOS.format(ANA), headers={"Authorization": f"Bearer {secret}"})

        assert secret not in response.text
        assert "s" * 43 not in response.text


class TestKeys:
    async def test_a_key_with_users_read_reads_any_user(self, client: AsyncTestClient, reader: str) -> None:
        assert (await call(client, ANA, reader))[0] == 200
        assert (await call(client, BRUNO, reader))[0] == 200

    async def test_the_scheme_is_case_insensitive(self, client: AsyncTestClient, reader: str) -> None:
        token = reader.removeprefix("Bearer ")
        assert (await call(client, ANA, f"bearer {token}"))[0] == 200
        assert (await call(client, ANA, f"BEARER  {token} "))[0] == 200

    async def test_a_key_without_the_scope_is_a_403_naming_it(
        self, client: AsyncTestClient, api_keys: ApiKeys
    ) -> None:
        admin = await bearer(api_keys, "solo admin", ADMIN)

        status, body = await call(client, ANA, admin)

        assert status == 403
        assert body["code"] == "acceso_denegado"
        assert body["message"] == "La clave «solo admin» no tiene el alcance «users:read»."
        assert body["detail"]["required_scope"] == USERS_READ

    async def test_a_revoked_key_is_refused_on_its_next_request(
        self, client: AsyncTestClient, api_keys: ApiKeys
    ) -> None:
        issued = await api_keys.create("temporal", [USERS_READ], actor=OPERATOR)
        authorization = f"Bearer {issued.token}"
        assert (await call(client, ANA, authorization))[0] == 200

        await api_keys.revoke(issued.key.key_id, actor=OPERATOR)
        status, body = await call(client, ANA, authorization)

        assert (status, body["code"]) == (401, "clave_revocada")
        assert body["message"] == "La clave de la API fue revocada; pida una nueva a la administración."


class TestFans:
    async def test_a_fan_reads_their_own_data(self, client: AsyncTestClient, clock: FakeClock) -> None:
        status, body = await call(client, ANA, tma(sign_init_data(ANA, clock.now())))

        assert (status, body["user_id"]) == (200, ANA)

    async def test_another_fans_data_is_a_403(self, client: AsyncTestClient, clock: FakeClock) -> None:
        status, body = await call(client, BRUNO, tma(sign_init_data(ANA, clock.now())))

        assert (status, body["code"]) == (403, "acceso_denegado")
        assert body["message"] == "Solo puede consultar sus propios datos."

    async def test_an_id_spelled_otherwise_is_not_theirs(
        self, client: AsyncTestClient, clock: FakeClock
    ) -> None:
        """``011`` names user 11 to a parser, but a fan's access compares the id exactly as written."""
        status, _ = await call(client, "011", tma(sign_init_data(ANA, clock.now())))  # type: ignore[arg-type]

        assert status == 403

    async def test_stale_init_data_is_refused(self, client: AsyncTestClient, clock: FakeClock) -> None:
        init_data = tma(sign_init_data(ANA, clock.now()))
        clock.advance(timedelta(hours=1))
        assert (await call(client, ANA, init_data))[0] == 200  # exactly the maximum age still opens

        clock.advance(timedelta(seconds=1))
        status, body = await call(client, ANA, init_data)

        assert (status, body["code"]) == (401, "initdata_caducado")
        assert body["detail"] == {"max_age_seconds": 3600}

    async def test_init_data_from_the_future_is_refused(
        self, client: AsyncTestClient, clock: FakeClock
    ) -> None:
        """A few minutes of clock skew pass; an ``auth_date`` an hour ahead was not signed by Telegram now."""
        assert (await call(client, ANA, tma(sign_init_data(ANA, clock.now() + timedelta(minutes=4)))))[
            0
        ] == 200

        status, body = await call(client, ANA, tma(sign_init_data(ANA, clock.now() + timedelta(hours=1))))

        assert (status, body["code"]) == (401, "initdata_invalido")

    async def test_init_data_signed_with_another_bots_token_is_refused(
        self, client: AsyncTestClient, clock: FakeClock
    ) -> None:
        other = sign_init_data(ANA, clock.now(), token="987654321:another-bot")  # noqa: S106

        status, body = await call(client, ANA, tma(other))

        assert (status, body["code"]) == (401, "initdata_invalido")

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda data: data.replace("%22id%22%3A11", "%22id%22%3A12"),  # claims to be Bruno
            lambda data: data.replace("auth_date=", "auth_date=9"),
            lambda data: data + "&extra=1",
            lambda data: data.split("&hash=")[0],
            lambda data: data.split("&hash=")[0] + "&hash=" + "0" * 64,
            lambda _: "no-es-initdata",
            lambda _: "%%%&&&===",
            lambda _: "x" * 5000,
        ],
    )
    async def test_forged_init_data_is_refused(
        self, client: AsyncTestClient, clock: FakeClock, tamper: Any
    ) -> None:
        forged = tamper(sign_init_data(ANA, clock.now()))

        status, body = await call(client, ANA, tma(forged))

        assert (status, body["code"]) == (401, "initdata_invalido")

    async def test_signed_init_data_without_a_user_is_refused(
        self, client: AsyncTestClient, clock: FakeClock
    ) -> None:
        """Telegram signs ``initData`` without ``user`` for some launches: naming no fan, it opens nothing."""
        status, body = await call(client, ANA, tma(sign_init_data(None, clock.now())))

        assert (status, body["code"]) == (401, "initdata_invalido")

    async def test_without_a_bot_token_init_data_is_not_accepted(
        self, wallet: WalletService, users: UserDirectory, api_keys: ApiKeys, clock: FakeClock
    ) -> None:
        app = besitos_app(wallet, users, Authenticator(api_keys, None))
        async with AsyncTestClient(app=app) as client:
            status, body = await call(client, ANA, tma(sign_init_data(ANA, clock.now())))

        assert (status, body["code"]) == (401, "initdata_no_admitido")


class TestRateLimitByCredential:
    async def test_each_key_has_its_own_budget_from_one_address(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator, api_keys: ApiKeys
    ) -> None:
        """Two services behind one address are two callers: one using up its quota does not stop the other."""
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        first, second = [await bearer(api_keys, name, USERS_READ) for name in ("uno", "dos")]
        app = besitos_app(wallet, users, authenticator, rate_limit_per_minute=2)
        async with AsyncTestClient(app=app) as client:
            used = [(await call(client, ANA, first))[0] for _ in range(3)]
            other = [(await call(client, ANA, second))[0] for _ in range(2)]

        assert used == [200, 200, 429]
        assert other == [200, 200]

    async def test_a_fan_is_one_caller_from_any_address(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator, clock: FakeClock
    ) -> None:
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        ana = tma(sign_init_data(ANA, clock.now()))
        app = besitos_app(wallet, users, authenticator, rate_limit_per_minute=2)
        statuses = []
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://yabot") as client:
                response = await client.get(BESITOS.format(ANA), headers={"Authorization": ana})
                statuses.append(response.status_code)

        assert statuses == [200, 200, 429]

    async def test_bad_credentials_count_against_the_address(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator, reader: str
    ) -> None:
        """Guessing keys is rate limited like anything else from that address."""
        app = besitos_app(wallet, users, authenticator, rate_limit_per_minute=3)
        async with AsyncTestClient(app=app) as client:
            guesses = [(await call(client, ANA, f"Bearer yb_{n:016x}_" + "a" * 43))[0] for n in range(4)]

        assert guesses == [401, 401, 401, 429]


class TestBornProtected:
    def test_an_api_route_that_declares_no_access_is_refused_at_build(
        self, authenticator: Authenticator
    ) -> None:
        @get("/open", sync_to_thread=False)
        def open_route() -> str:
            return "todo el mundo"

        with pytest.raises(ValueError, match=r"GET /api/v1/open"):
            create_app(authenticator=authenticator, route_handlers=[open_route])

    async def test_probes_and_the_schema_stay_open(self, client: AsyncTestClient) -> None:
        for path in ("/healthz", "/readyz", "/api/v1/schema", "/api/v1/schema/openapi.yaml"):
            assert (await client.get(path)).status_code == 200, path

    async def test_head_without_credentials_is_a_401_without_body(self, client: AsyncTestClient) -> None:
        response = await client.head(BESITOS.format(ANA))

        assert response.status_code == 401
        assert response.content == b""

    async def test_every_module_route_refuses_anonymous_callers(
        self, wallet: WalletService, users: UserDirectory, authenticator: Authenticator, storage: Any
    ) -> None:
        """Both modules' routes, side by side: no credentials, 401; another fan, 403."""
        from tests.contracts.inventory_catalog import small_catalog  # noqa: PLC0415
        from yabot_core.inventory import Mochila  # noqa: PLC0415
        from yabot_core.kernel import SequentialIds  # noqa: PLC0415

        mochila = Mochila(
            storage.transactions, storage.inventory_queries, small_catalog(), FakeClock(), SequentialIds()
        )
        app = create_app(
            authenticator=authenticator,
            route_handlers=[wallet_controller(wallet, users), inventory_controller(mochila, users)],
        )
        async with AsyncTestClient(app=app) as client:
            for path in (BESITOS.format(ANA), f"/api/v1/users/{ANA}/inventory"):
                assert (await client.get(path)).status_code == 401, path


class TestLogs:
    async def test_no_credential_reaches_a_log_line(
        self, client: AsyncTestClient, api_keys: ApiKeys, clock: FakeClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Good, bad, revoked and forged credentials alike: the secret parts appear in no log record."""
        issued = await api_keys.create("registro", [USERS_READ], actor=OPERATOR)
        init_data = sign_init_data(ANA, clock.now())
        secret_parts = [issued.token, issued.token.split("_", 2)[2], init_data.split("hash=")[1]]
        caplog.set_level(logging.DEBUG)

        await call(client, ANA, f"Bearer {issued.token}")
        await call(client, BRUNO, tma(init_data))
        await call(client, ANA, tma(init_data + "x"))
        await api_keys.revoke(issued.key.key_id, actor=OPERATOR)
        await call(client, ANA, f"Bearer {issued.token}")

        logged = "\n".join(
            f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
        )
        for part in secret_parts:
            assert part not in logged
