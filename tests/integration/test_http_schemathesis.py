"""Schemathesis over the product's OpenAPI document, on SQLite, with and without credentials."""

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.contracts.common import OPERATOR
from tests.integration.http_apps import BOT_TOKEN, sign_init_data, tma
from yabot_adapters.http.auth.openapi import INIT_DATA_SCHEME
from yabot_app.container import build_container
from yabot_app.lifecycle import working
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import Settings
from yabot_core.kernel import UserId
from yabot_core.users import UserProfile
from yabot_core.wallet import ADMIN_GRANT

ANA = UserId(11)
EXAMPLES = {"clave": 40, "fan": 20, "sin credenciales": 5}
"""Per operation and generation mode, by caller: the key reaches every route's handler, so it gets the most
cases (enough to reach every parameter's bounds); the fan reaches only her own data, and a caller without
credentials only the 401 that comes before any parsing, so fewer prove as much. Sized so the whole run stays
a small part of `make test` as modules add routes."""
RUN = settings(
    derandomize=True,  # the same cases on every run: a failure here is never a fluke
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
"""No 5xx, and every response as the document says: a documented status, content type, headers and body."""


def statuses_of(strategy: SearchStrategy[Case], headers: dict[str, str], examples: int) -> list[int]:
    """Call the app with each case the strategy yields; return the statuses, failing on any check at once."""
    statuses: list[int] = []

    @settings(RUN, max_examples=examples)
    @given(case=strategy)
    def call(case: Case) -> None:
        statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    call()
    return statuses


def test_no_generated_request_breaks_the_api(tmp_path: Path) -> None:
    """The product's own app, every registered module's routes, called with a key that may everything, as
    Ana from her Mini App, and without credentials: valid requests (for Ana, who holds besitos and items)
    and invalid ones alike get a documented 2xx or 4xx matching the schema, never a 5xx. A module plugged
    in later is covered without editing this test; its routes only need to appear in the OpenAPI
    document."""
    settings_ = Settings.model_validate(
        {"data_dir": tmp_path, "api_rate_limit_per_minute": 0, "welcome_besitos": 0, "bot_token": BOT_TOKEN}
    )
    container = build_container(settings_, telegram=False)  # the token checks initData; no bot polls
    app = container.http_app()  # rate limit off: thousands of requests from one client, a 429 hides handlers
    running = contextlib.AsyncExitStack()
    credentials: dict[str, dict[str, str]] = {"sin credenciales": {}}

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
        keys = modules.get(ApiKeysModule).keys
        issued = await keys.create("schemathesis", list(keys.scopes), actor=OPERATOR)
        credentials["clave"] = {"Authorization": f"Bearer {issued.token}"}
        # Signed now: the run takes seconds, far within YABOT_API_INITDATA_MAX_AGE.
        credentials["fan"] = {"Authorization": tma(sign_init_data(ANA, datetime.now(UTC)))}

    app.on_startup.append(open_with_ana)
    app.on_shutdown.append(running.aclose)

    seen: dict[tuple[str, str, GenerationMode], list[int]] = {}
    keys_only: set[str] = set()
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
            # A route no fan may call (keys only: no initData in its security) answers a fan 403 before
            # reading anything, as it answers 401 without credentials: as few cases prove it.
            for_fans = any(INIT_DATA_SCHEME in each for each in operation.definition.raw.get("security", []))
            if not for_fans and operation.definition.raw.get("security"):
                keys_only.add(operation.label)
            for who in ("clave", "fan", "sin credenciales"):
                examples = EXAMPLES["sin credenciales" if who == "fan" and not for_fans else who]
                for mode, strategy in strategies.items():
                    seen[operation.label, who, mode] = statuses_of(
                        strategy, credentials.get(who, {}), examples
                    )
    finally:
        shutdown_lifespans()

    print(
        f"schemathesis: {sum(map(len, seen.values()))} cases",
        {" ".join(map(str, key)): len(value) for key, value in seen.items()},
    )
    user_routes = {"GET /api/v1/users/{user_id}/besitos", "GET /api/v1/users/{user_id}/inventory"}
    assert {label for label, _, _ in seen} >= {*user_routes, "GET /healthz", "GET /readyz"}
    for route in user_routes:
        assert 200 in seen[route, "clave", GenerationMode.POSITIVE], route  # Ana's data, read with the key
        assert 200 in seen[route, "fan", GenerationMode.POSITIVE], route  # and by Ana herself
    api = [key for key in seen if key[0].split()[1].startswith("/api/v1/")]
    for label, who, mode in api:
        if who == "sin credenciales":
            assert set(seen[label, who, mode]) == {401}, label  # every route is born protected
        if who == "fan" and label in keys_only:
            assert set(seen[label, who, mode]) <= {401, 403}, label  # a fan never gets past a keys-only route
