"""The fake Bot API server keeps Telegram's rules for Stars: invoices, pre-checkout answers, refunds."""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.integration.test_telegram_fake_server import call
from yabot_adapters.telegram.testing import FakeTelegramServer

ANA = 42
INVOICE: dict[str, Any] = {
    "chat_id": ANA,
    "title": "VIP · un mes",
    "description": "Treinta días.",
    "payload": "vip:vip-mensual",
    "currency": "XTR",
    "prices": [{"label": "VIP", "amount": 500}],
}


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        server.feed(server.message_update(ANA, "/vip"))  # Ana has written to the bot
        yield server


@pytest.fixture(name="http")
async def http_fixture() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_a_stars_invoice_is_sent_and_returned_as_a_message(
    server: FakeTelegramServer, http: aiohttp.ClientSession
) -> None:
    """A well-formed XTR invoice is answered with a Message holding its Invoice."""
    status, body = await call(http, server, "sendInvoice", body=INVOICE)
    assert status == 200
    assert body["result"]["invoice"]["total_amount"] == 500
    assert body["result"]["invoice"]["currency"] == "XTR"


@pytest.mark.parametrize(
    ("change", "description"),
    [
        pytest.param({"currency": "EUR"}, "CURRENCY_INVALID", id="currency"),
        pytest.param({"provider_token": "tok"}, "CURRENCY_INVALID", id="provider"),
        pytest.param({"prices": [{"label": "a", "amount": 1}] * 2}, "STARS_INVOICE_INVALID", id="two-prices"),
        pytest.param({"payload": "x" * 129}, "PAYLOAD_INVALID", id="payload"),
        pytest.param({"title": "x" * 33}, "TITLE_INVALID", id="title"),
        pytest.param({"chat_id": 99}, "chat not found", id="stranger"),
    ],
)
async def test_invoices_telegram_would_refuse_are_refused(
    server: FakeTelegramServer, http: aiohttp.ClientSession, change: dict[str, Any], description: str
) -> None:
    """Another currency, a provider, several prices, long payloads or titles, unknown chats: 400."""
    status, body = await call(http, server, "sendInvoice", body={**INVOICE, **change})
    assert status == 400
    assert description in body["description"]


async def test_a_refused_pre_checkout_must_say_why(
    server: FakeTelegramServer, http: aiohttp.ClientSession
) -> None:
    """ok=false without an error_message is refused, as Telegram does; with one it is accepted."""
    status, _ = await call(
        http, server, "answerPreCheckoutQuery", body={"pre_checkout_query_id": "q", "ok": False}
    )
    assert status == 400
    status, _ = await call(
        http,
        server,
        "answerPreCheckoutQuery",
        body={"pre_checkout_query_id": "q", "ok": False, "error_message": "No."},
    )
    assert status == 200


async def test_a_charge_is_refunded_once_to_its_payer(
    server: FakeTelegramServer, http: aiohttp.ClientSession
) -> None:
    """Only the payer's charge is refundable, and only once."""
    server.payment_update(ANA, "vip:vip-mensual", 500, "ch-1")
    refund = {"user_id": ANA, "telegram_payment_charge_id": "ch-1"}
    status, _ = await call(http, server, "refundStarPayment", body={**refund, "user_id": 7})
    assert status == 400
    assert (await call(http, server, "refundStarPayment", body=refund))[0] == 200
    status, body = await call(http, server, "refundStarPayment", body=refund)
    assert (status, body["description"]) == (400, "Bad Request: CHARGE_ALREADY_REFUNDED")
