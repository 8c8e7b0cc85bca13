"""Schemathesis over the API's own OpenAPI document, on SQLite: no request it can think of gets a 5xx."""

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans

from tests.integration.http_apps import besitos_app
from yabot_adapters.http import ReadinessCheck
from yabot_adapters.sqlite import SqliteStorage
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.users import UserDirectory, UserProfile
from yabot_core.wallet import ADMIN_GRANT, WalletService

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


def test_no_generated_request_gets_a_5xx(tmp_path: Path, clock: FakeClock, ids: SequentialIds) -> None:
    """Valid requests (for a registered user) and invalid ones alike get a 2xx or 4xx, never a 5xx."""
    storage = SqliteStorage(tmp_path / "yabot.sqlite3", clock)
    users = UserDirectory(storage.transactions, storage.user_queries, clock, ids)
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
    app = besitos_app(
        wallet,
        users,
        readiness=[ReadinessCheck("storage", storage.ping)],
        rate_limit_per_minute=None,  # thousands of requests from one client: a 429 would hide the handlers
    )

    async def open_with_ana() -> None:
        # In the app's lifespan, so on the event loop Schemathesis serves requests from.
        await storage.open()
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        for n in range(3):
            await wallet.credit(ANA, 10, ADMIN_GRANT, idempotency_key=f"seed:{n}")

    app.on_startup.append(open_with_ana)
    app.on_shutdown.append(storage.close)

    seen: dict[tuple[str, GenerationMode], list[int]] = {}
    try:
        schema = schemathesis.openapi.from_asgi("/api/v1/schema/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            # Positive cases name Ana, so the route reaches her ledger, not only "usuario_no_encontrado";
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
    assert {label for label, _ in seen} >= {
        "GET /api/v1/users/{user_id}/besitos",
        "GET /healthz",
        "GET /readyz",
    }
    assert (
        200 in seen["GET /api/v1/users/{user_id}/besitos", GenerationMode.POSITIVE]
    )  # Ana's ledger was read
