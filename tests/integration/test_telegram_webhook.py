"""The webhook: pushes are kept before they are answered, handled once, in order, after a crash too."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import httpx
import pytest

from tests.integration.http_apps import keys_only
from tests.integration.telegram_world import ANA, GUARD, World
from yabot_adapters.http import SECRET_HEADER, WEBHOOK_PATH, TelegramWebhook, create_app
from yabot_adapters.telegram import WebhookUpdates
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_adapters.telegram.webhook import LEASE
from yabot_core.kernel import FakeClock

SECRET: Final = "s3creto-del_webhook"  # noqa: S105  (the tests' own)
LUIS: Final = 4343


class Pushed:
    """One world's webhook: the Litestar app over httpx's ASGI transport, the worker beside it (or not).

    httpx's transport runs the app on the test's own event loop, as uvicorn runs it inside ``yabot run``;
    Litestar's ``AsyncTestClient`` would run it on a loop of its own in another thread, away from the
    storage, the worker and aiogram's session, which live on this one.
    """

    def __init__(self, world: World, clock: FakeClock) -> None:
        self.world = world
        self.inbox = world.storage.telegram_updates
        self.updates = WebhookUpdates(world.bot, world.dp, self.inbox, clock=clock, poll_interval=0.05)
        app = create_app(authenticator=keys_only(), webhook=TelegramWebhook(SECRET, self.updates))
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://yabot")

    async def push(self, update: dict[str, Any], secret: str | None = SECRET) -> Any:
        """POST ``update`` as Telegram does (with ``secret`` in its header, if any)."""
        self.world.server.introduce(update)
        headers = {} if secret is None else {SECRET_HEADER: secret}
        return await self.client.post(WEBHOOK_PATH, json=update, headers=headers)


@pytest.fixture(name="pushed")
async def pushed_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[Pushed]:
    world = World(clock, server, telegram_mode="webhook", webhook_secret=SECRET)
    pushed = Pushed(world, clock)
    async with pushed.client:
        await pushed.updates.start()
        try:
            yield pushed
        finally:
            await pushed.updates.stop()
            await world.close()


async def test_a_pushed_update_is_answered_at_once_and_handled(
    pushed: Pushed, server: FakeTelegramServer
) -> None:
    """Telegram gets its 200 for a stored update; the fan then gets Lucien's answer."""
    answer = await pushed.push(server.message_update(ANA, "/start", first_name="Ana"))
    assert (answer.status_code, answer.json()) == (200, {"ok": True, "duplicate": False})
    (greeting,) = await server.wait_for_messages(ANA, 1, timeout=GUARD)
    assert "Ana" in greeting
    await pushed.updates.stop()  # lets the round in hand finish: the update is marked done
    assert await pushed.inbox.unfinished() == 0


async def test_an_update_pushed_twice_is_handled_once(pushed: Pushed, server: FakeTelegramServer) -> None:
    """Telegram's retry of an update is answered 200 and stored no more; the user's next one follows."""
    start = server.message_update(ANA, "/start")
    await pushed.push(start)
    await server.wait_for_messages(ANA, 1, timeout=GUARD)
    again = await pushed.push(start)
    assert (again.status_code, again.json()) == (200, {"ok": True, "duplicate": True})
    await pushed.push(server.message_update(ANA, "/ayuda"))
    # One user's updates are handled in order: a handled repeat would have answered before /ayuda did.
    _, second = await server.wait_for_messages(ANA, 2, timeout=GUARD)
    assert "Esto es lo que puedo hacer por usted" in second
    assert len(server.messages(ANA)) == 2


@pytest.mark.parametrize(
    ("secret", "body", "status", "code"),
    [
        (None, None, 401, "webhook_secreto_invalido"),
        ("otro-secreto", None, 401, "webhook_secreto_invalido"),
        (SECRET[:-1], None, 401, "webhook_secreto_invalido"),
        (SECRET, b"no es json", 400, "actualizacion_invalida"),
        (SECRET, b'{"update_id": "7"}', 400, "actualizacion_invalida"),
        (SECRET, b"[1, 2]", 400, "actualizacion_invalida"),
    ],
    ids=["no-secret", "wrong-secret", "secret-prefix", "not-json", "text-id", "not-an-object"],
)
async def test_a_refused_push_changes_nothing(
    pushed: Pushed, server: FakeTelegramServer, secret: str | None, body: bytes | None, status: int, code: str
) -> None:
    """A push without the secret, or that is no update, gets a JSON error with its code; nothing is kept."""
    update = server.message_update(ANA, "/start")
    if body is None:
        answer = await pushed.push(update, secret=secret)
    else:
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        answer = await pushed.client.post(WEBHOOK_PATH, content=body, headers=headers)
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert answer.json()["message"].startswith(("Falta", "El cuerpo"))
    assert await pushed.inbox.unfinished() == 0
    assert (await pushed.push(update)).json()["duplicate"] is False  # pushed right, it is new


async def test_updates_kept_before_a_crash_are_handled_after_the_restart(
    clock: FakeClock, server: FakeTelegramServer, tmp_path: Path
) -> None:
    """Stored and answered, then the process dies: the next one handles them, a lapsed claim included."""
    settings: dict[str, Any] = {"storage": "sqlite", "data_dir": tmp_path, "telegram_mode": "webhook"}
    first = World(clock, server, **settings)
    await first.storage.open()
    try:
        pushed = Pushed(first, clock)  # its worker never starts: the process dies before it runs
        async with pushed.client:
            assert (await pushed.push(server.message_update(ANA, "/start"))).status_code == 200
            assert (await pushed.push(server.message_update(LUIS, "/start", first_name="Luis"))).is_success
        now = clock.now()
        (held,) = await first.storage.telegram_updates.claim(now, "dead-worker", now + LEASE, 1)
        assert held.order_key == ANA  # the oldest: a worker took it, and died with the process
    finally:
        await first.storage.close()
        await first.close()
    assert sent_to(server) == set()

    second = World(clock, server, **settings)
    await second.storage.open()
    restarted = Pushed(second, clock)
    await restarted.updates.start()
    try:
        await server.wait_for_messages(LUIS, 1, timeout=GUARD)
        assert server.messages(ANA) == []  # the dead worker's claim has not lapsed yet
        clock.advance(LEASE + timedelta(seconds=1))
        await server.wait_for_messages(ANA, 1, timeout=GUARD)
        await restarted.updates.stop()
        assert await second.storage.telegram_updates.unfinished() == 0
    finally:
        await restarted.updates.stop()
        await second.storage.close()
        await second.close()


def sent_to(server: FakeTelegramServer) -> set[int]:
    return {call.params["chat_id"] for call in server.calls("sendMessage")}
