"""The besitos route over Litestar's test client, wired to the real services on in-memory storage."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from tests.contracts.common import AUCTION_WIN, PURCHASE
from tests.integration.http_apps import besitos_app
from yabot_adapters.http.auth import Authenticator
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import opened
from yabot_core.kernel import MAX_USER_ID, FakeClock, SequentialIds, UserId
from yabot_core.users import UserDirectory, UserProfile
from yabot_core.wallet import MAX_HISTORY_OFFSET, LedgerReason, WalletService
from yabot_core.welcome import WELCOME_GIFT

ANA = UserId(11)
DAILY_GIFT = LedgerReason.define("daily_gift", "Regalo diario")


@pytest.fixture(name="client")
async def client_fixture(
    wallet: WalletService, users: UserDirectory, authenticator: Authenticator, reader: str
) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=besitos_app(wallet, users, authenticator)) as client:
        client.headers["Authorization"] = reader
        yield client


@pytest.fixture(name="ana")
async def ana_fixture(users: UserDirectory, wallet: WalletService, clock: FakeClock) -> UserId:
    """Ana, registered, with four movements one minute apart: +30, +20, -5 and a hold of 10."""
    await users.register(UserProfile(user_id=ANA, first_name="Ana"))
    await wallet.credit(ANA, 30, WELCOME_GIFT, idempotency_key="welcome:11")
    clock.advance(timedelta(minutes=1))
    await wallet.credit(ANA, 20, DAILY_GIFT, idempotency_key="daily:11", note="Racha de 3 días")
    clock.advance(timedelta(minutes=1))
    await wallet.debit(ANA, 5, PURCHASE, idempotency_key="buy:11")
    clock.advance(timedelta(minutes=1))
    await wallet.hold(ANA, 10, purpose=AUCTION_WIN, idempotency_key="bid:11", reference="subasta:1")
    return ANA


class TestBalanceAndHistory:
    async def test_registered_user_sees_balance_held_and_a_page_newest_first(
        self, client: AsyncTestClient, ana: UserId
    ) -> None:
        """A page skips ``offset`` entries from the newest, holds at most ``limit``, and reports the total."""
        response = await client.get(f"/api/v1/users/{ana}/besitos", params={"limit": 2, "offset": 1})

        assert response.status_code == 200
        body = response.json()
        assert (body["user_id"], body["balance"], body["held"]) == (ana, 35, 10)
        history = body["history"]
        assert (history["limit"], history["offset"], history["total"]) == (2, 1, 4)
        assert [item["sequence"] for item in history["items"]] == [3, 2]
        assert history["items"][1] == {
            "entry_id": history["items"][1]["entry_id"],
            "sequence": 2,
            "amount": 20,
            "reason": "daily_gift",
            "reason_label": "Regalo diario",
            "note": "Racha de 3 días",
            "balance_after": 50,
            "created_at": "2026-01-01T12:01:00Z",
        }

    async def test_amounts_are_signed_and_labels_spanish(self, client: AsyncTestClient, ana: UserId) -> None:
        """Debits and holds are negative amounts; every reason carries its Spanish label."""
        items = (await client.get(f"/api/v1/users/{ana}/besitos")).json()["history"]["items"]

        assert [(item["amount"], item["reason"], item["reason_label"]) for item in items] == [
            (-10, "escrow_hold", "Besitos reservados"),
            (-5, "purchase", "Compra en la tienda"),
            (20, "daily_gift", "Regalo diario"),
            (30, "welcome_gift", "Regalo de bienvenida"),
        ]

    async def test_default_page_is_twenty_from_the_newest(self, client: AsyncTestClient, ana: UserId) -> None:
        """Without ``limit`` and ``offset`` the page starts at the newest entry and holds up to 20."""
        history = (await client.get(f"/api/v1/users/{ana}/besitos")).json()["history"]

        assert (history["limit"], history["offset"], history["total"], len(history["items"])) == (20, 0, 4, 4)

    async def test_internal_keys_stay_inside(self, client: AsyncTestClient, ana: UserId) -> None:
        """Idempotency keys, correlation ids and hold ids are never published."""
        items = (await client.get(f"/api/v1/users/{ana}/besitos")).json()["history"]["items"]

        assert all(set(item) >= {"entry_id", "created_at"} for item in items)
        assert not any(
            {"idempotency_key", "correlation_id", "hold_id", "user_id"} & set(item) for item in items
        )
        assert "bid:11" not in str(items)

    async def test_offset_past_the_end_is_an_empty_page(self, client: AsyncTestClient, ana: UserId) -> None:
        """Paging beyond the last entry answers an empty page with the real total, not an error."""
        history = (await client.get(f"/api/v1/users/{ana}/besitos", params={"offset": 10})).json()["history"]

        assert (history["items"], history["total"]) == ([], 4)

    async def test_registered_user_without_movements_has_zeros(
        self, client: AsyncTestClient, users: UserDirectory
    ) -> None:
        """A known user who never had besitos has balance 0, nothing held, and an empty history."""
        await users.register(UserProfile(user_id=UserId(12), first_name="Luis"))

        body = (await client.get("/api/v1/users/12/besitos")).json()

        assert body == {
            "user_id": 12,
            "balance": 0,
            "held": 0,
            "history": {"items": [], "limit": 20, "offset": 0, "total": 0},
        }


class TestErrors:
    async def test_unknown_user_is_a_spanish_404(self, client: AsyncTestClient) -> None:
        """A user the directory does not know is 404 ``usuario_no_encontrado`` with a Spanish message."""
        response = await client.get("/api/v1/users/404/besitos")

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {
            "code": "usuario_no_encontrado",
            "message": "No hay ningún usuario registrado con el id 404.",
            "detail": {"user_id": 404},
        }

    @pytest.mark.parametrize(
        ("path", "params", "parameter", "rule"),
        [
            ("abc", {}, "user_id", "Debe ser un número entero."),
            ("1.5", {}, "user_id", "Debe ser un número entero."),
            ("0", {}, "user_id", "Debe ser mayor o igual que 1."),
            ("-3", {}, "user_id", "Debe ser mayor o igual que 1."),
            ("11", {"limit": 0}, "limit", "Debe ser mayor o igual que 1."),
            ("11", {"limit": 101}, "limit", "Debe ser menor o igual que 100."),
            ("11", {"limit": "diez"}, "limit", "Debe ser un número entero."),
            ("11", {"offset": -1}, "offset", "Debe ser mayor o igual que 0."),
            # only plain ASCII digits: no exponent, no decimal point, no other scripts' digits
            ("1e3", {}, "user_id", "Debe ser un número entero."),
            ("1E3", {}, "user_id", "Debe ser un número entero."),
            ("1001.0", {}, "user_id", "Debe ser un número entero."),
            ("١١", {}, "user_id", "Debe ser un número entero."),
            ("11", {"limit": "1e1"}, "limit", "Debe ser un número entero."),
            ("11", {"limit": "10.0"}, "limit", "Debe ser un número entero."),
            ("11", {"offset": "1e1"}, "offset", "Debe ser un número entero."),
            ("11", {"offset": "+1"}, "offset", "Debe ser un número entero."),
            # bounded: an id past the largest Telegram id, an offset past the deepest ledger
            (str(MAX_USER_ID + 1), {}, "user_id", f"Debe ser menor o igual que {MAX_USER_ID}."),
            (
                "11",
                {"offset": MAX_HISTORY_OFFSET + 1},
                "offset",
                f"Debe ser menor o igual que {MAX_HISTORY_OFFSET}.",
            ),
            ("11", {"offset": 2**63}, "offset", f"Debe ser menor o igual que {MAX_HISTORY_OFFSET}."),
        ],
    )
    async def test_bad_parameters_are_a_spanish_400(
        self,
        client: AsyncTestClient,
        ana: UserId,
        path: str,
        params: dict[str, object],
        parameter: str,
        rule: str,
    ) -> None:
        """An id, limit or offset not in plain digits or out of bounds is a 400 naming it, never a 500."""
        response = await client.get(f"/api/v1/users/{path}/besitos", params=params)

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "solicitud_invalida"
        assert body["message"] == f"La solicitud no es válida: revise «{parameter}»."
        assert body["detail"]["parameters"] == [
            {"name": parameter, "source": "path" if parameter == "user_id" else "query", "rule": rule}
        ]

    async def test_every_bad_parameter_is_named(self, client: AsyncTestClient, ana: UserId) -> None:
        """When several parameters fail, the 400 names all of them, not just the first."""
        response = await client.get(f"/api/v1/users/{ana}/besitos", params={"limit": 500, "offset": -2})

        assert response.status_code == 400
        names = [parameter["name"] for parameter in response.json()["detail"]["parameters"]]
        assert sorted(names) == ["limit", "offset"]


class TestOnSqlite:
    """The bounds hold on SQLite, whose 64-bit integers overflow where Python's do not."""

    @pytest.fixture(name="sqlite_client")
    async def sqlite_client_fixture(
        self, tmp_path: Path, clock: FakeClock, ids: SequentialIds, authenticator: Authenticator, reader: str
    ) -> AsyncIterator[AsyncTestClient]:
        async with opened(SqliteStorage(tmp_path / "yabot.sqlite3", clock)) as storage:
            users = UserDirectory(storage.transactions, storage.user_queries, clock, ids)
            wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
            await users.register(UserProfile(user_id=ANA, first_name="Ana"))
            await wallet.credit(ANA, 30, WELCOME_GIFT, idempotency_key="welcome:11")
            async with AsyncTestClient(app=besitos_app(wallet, users, authenticator)) as client:
                client.headers["Authorization"] = reader
                yield client

    @pytest.mark.parametrize("offset", [2**63, 2**64, MAX_HISTORY_OFFSET + 1])
    async def test_an_offset_past_the_deepest_ledger_is_a_400(
        self, sqlite_client: AsyncTestClient, offset: int
    ) -> None:
        """An offset SQLite cannot hold is refused as a bad parameter, not a 500 from the driver."""
        response = await sqlite_client.get(f"/api/v1/users/{ANA}/besitos", params={"offset": offset})

        assert response.status_code == 400
        assert response.json()["detail"]["parameters"] == [
            {"name": "offset", "source": "query", "rule": f"Debe ser menor o igual que {MAX_HISTORY_OFFSET}."}
        ]

    async def test_the_deepest_offset_is_an_empty_page(self, sqlite_client: AsyncTestClient) -> None:
        """The largest accepted offset is within SQLite's integers: an empty page with the real total."""
        response = await sqlite_client.get(
            f"/api/v1/users/{ANA}/besitos", params={"offset": MAX_HISTORY_OFFSET, "limit": 100}
        )

        assert response.status_code == 200
        history = response.json()["history"]
        assert (history["items"], history["offset"], history["total"]) == ([], MAX_HISTORY_OFFSET, 1)
