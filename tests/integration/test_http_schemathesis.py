"""Schemathesis over the product's OpenAPI document, on SQLite: no request it can think of gets a 5xx."""

import contextlib
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans

from yabot_app.container import build_container
from yabot_app.lifecycle import working
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import Settings
from yabot_core.kernel import UserId
from yabot_core.users import UserProfile
from yabot_core.wallet import ADMIN_GRANT

ANA = UserId(11)
EXAMPLES = 150
"""Per operation and generation mode: enough to reach the bounds of every parameter, a few seconds in all."""
RUN = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same cases on every run: a failure here is never a fluke
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def statuses_of(strategy: SearchStrategy[Case]) -> list[int]:
    """Call the app with each case the strategy yields; return the statuses, failing on any 5xx at once."""
    statuses: list[int] = []

    @RUN
    @given(case=strategy)
    def call(case: Case) -> None:
        statuses.append(case.call_and_validate(checks=[not_a_server_error]).status_code)

    call()
    return statuses


def test_no_generated_request_gets_a_5xx(tmp_path: Path) -> None:
    """The product's own app, every registered module's routes: valid requests (for Ana, who holds besitos
    and items) and invalid ones alike get a 2xx or 4xx, never a 5xx. A module plugged in later is covered
    without editing this test; its routes only need to appear in the OpenAPI document."""
    container = build_container(
        Settings.model_validate({"data_dir": tmp_path, "api_rate_limit_per_minute": 0, "welcome_besitos": 0})
    )
    app = container.http_app()  # rate limit off: thousands of requests from one client, a 429 hides handlers
    running = contextlib.AsyncExitStack()

    async def open_with_ana() -> None:
        # In the app's lifespan, so on the event loop Schemathesis serves requests from; and all of it, so
        # /readyz is 200 (it answers 503 while the event relay or the timers are not running).
        await running.enter_async_context(working(container))
        modules = container.modules()
        await modules.get(UsersModule).directory.register(UserProfile(user_id=ANA, first_name="Ana"))
        wallet = modules.get(WalletModule).wallet
        for n in range(3):
            await wallet.credit(ANA, 10, ADMIN_GRANT, idempotency_key=f"seed:{n}")
        items = modules.get(InventoryModule).grants
        await items.grant(ANA, "rosa-roja", 2, note=None, idempotency_key="seed")

    app.on_startup.append(open_with_ana)
    app.on_shutdown.append(running.aclose)

    seen: dict[tuple[str, GenerationMode], list[int]] = {}
    try:
        schema = schemathesis.openapi.from_asgi("/api/v1/schema/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            # Positive cases name Ana, so a route reaches her data, not only "usuario_no_encontrado";
            # negative cases break every parameter, the id included (an operation without any has none).
            known_user = {"user_id": ANA} if "user_id" in operation.path_parameters else None
            strategies = {GenerationMode.POSITIVE: operation.as_strategy(path_parameters=known_user)}
            if operation.path_parameters or operation.query:
                strategies[GenerationMode.NEGATIVE] = operation.as_strategy(GenerationMode.NEGATIVE)
            for mode, strategy in strategies.items():
                seen[operation.label, mode] = statuses_of(strategy)
    finally:
        shutdown_lifespans()

    print(
        f"schemathesis: {sum(map(len, seen.values()))} cases",
        {key: len(value) for key, value in seen.items()},
    )
    assert all(status < 500 for statuses in seen.values() for status in statuses)
    user_routes = {"GET /api/v1/users/{user_id}/besitos", "GET /api/v1/users/{user_id}/inventory"}
    assert {label for label, _ in seen} >= {*user_routes, "GET /healthz", "GET /readyz"}
    for route in user_routes:
        assert 200 in seen[route, GenerationMode.POSITIVE], route  # Ana's data was read
