"""The story's routes through Litestar's test client, over the real engine on memory storage."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from tests.contracts.common import api_keys_over
from tests.contracts.story_fixtures import STORY, StoryBench, shipped_library, story_bench
from tests.integration.http_apps import bearer, sign_init_data, tma
from yabot_adapters.http import create_app
from yabot_adapters.http.auth import Authenticator
from yabot_adapters.http.controllers.story import story_controller
from yabot_adapters.memory import InMemoryStorage
from yabot_core.apikeys import CORE_SCOPES
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.story import STORY_READ, Story, StoryLibrary

ANA = UserId(11)
VIP_FRAGMENT = "salon-privado"


@pytest.fixture(name="bench")
def bench_fixture(storage: InMemoryStorage, clock: FakeClock) -> StoryBench:
    return story_bench(storage, clock)


@pytest.fixture(name="client")
async def client_fixture(
    bench: StoryBench, authenticator: Authenticator, reader: str
) -> AsyncIterator[AsyncTestClient]:
    app = create_app(
        authenticator=authenticator,
        route_handlers=[story_controller(bench.narrative, bench.users, bench.subscriptions.vip)],
        rate_limit_per_minute=None,
    )
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = reader
        yield client


async def test_a_fans_progress_lists_where_they_are(client: AsyncTestClient, bench: StoryBench) -> None:
    """After two decisions: the current fragment, what was visited, the count, the flags."""
    await bench.register(ANA)
    await bench.narrative.scene(ANA)
    await bench.narrative.decide(ANA, STORY, "umbral", "preguntar")
    await bench.narrative.decide(ANA, STORY, "pregunta-por-diana", "seguir")
    response = await client.get(f"/api/v1/users/{ANA}/narrative/progress")
    assert response.status_code == 200
    (story,) = response.json()["stories"]
    assert story["story_id"] == STORY
    assert story["story_title"] == "El invernadero de Diana"
    assert story["current_fragment"] == "vestibulo"
    assert story["visited"] == ["umbral", "pregunta-por-diana", "vestibulo"]
    assert (story["decisions"], story["flags"], story["completed"]) == (2, ["curiosidad"], False)
    unknown = await client.get("/api/v1/users/12/narrative/progress")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "usuario_no_encontrado"


async def test_a_fragment_is_read_with_a_story_read_key_only(
    client: AsyncTestClient, storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds
) -> None:
    """``story:read`` reads a fragment (VIP-only choices marked); ``users:read`` alone is refused."""
    assert (await client.get("/api/v1/fragments/invernadero-fondo")).status_code == 403
    keys = api_keys_over(storage, clock, ids, {**CORE_SCOPES, STORY_READ: "Leer historias."})
    client.headers["Authorization"] = await bearer(keys, "historias", STORY_READ)
    response = await client.get("/api/v1/fragments/invernadero-fondo", params={"story": STORY})
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "La cortina de terciopelo"
    assert [(choice["choice_id"], choice["vip_only"]) for choice in body["choices"]] == [
        ("cruzar", True),
        ("alba", False),
    ]
    missing = await client.get("/api/v1/fragments/sotano")
    assert missing.status_code == 404
    assert missing.json()["code"] == "fragmento_desconocido"


async def test_a_fan_reads_fragments_and_vip_ones_only_when_vip(
    client: AsyncTestClient, bench: StoryBench, clock: FakeClock
) -> None:
    """From the Mini App: any fan reads an open fragment; a VIP one is refused (403) until they are VIP."""
    await bench.register(ANA)
    client.headers["Authorization"] = tma(sign_init_data(ANA, clock.now()))
    opened = await client.get("/api/v1/fragments/umbral", params={"story": STORY})
    assert opened.status_code == 200
    gated = await client.get(f"/api/v1/fragments/{VIP_FRAGMENT}", params={"story": STORY})
    assert gated.status_code == 403
    assert gated.json()["code"] == "fragmento_solo_vip"
    await bench.make_vip(ANA)
    assert (await client.get(f"/api/v1/fragments/{VIP_FRAGMENT}", params={"story": STORY})).status_code == 200


async def test_a_fragment_is_cached_by_its_tag_and_a_new_release_changes_it(
    client: AsyncTestClient,
    bench: StoryBench,
    storage: InMemoryStorage,
    clock: FakeClock,
    authenticator: Authenticator,
) -> None:
    """The same tag gets 304 with no body; a published change to the fragment gives a new tag (a full
    answer); a fan no longer VIP is refused even holding a tag."""
    await bench.register(ANA)
    await bench.make_vip(ANA, days=1)
    fan = {"Authorization": tma(sign_init_data(ANA, clock.now()))}
    where = f"/api/v1/fragments/{VIP_FRAGMENT}"
    first = await client.get(where, params={"story": STORY}, headers=fan)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await client.get(where, params={"story": STORY}, headers={**fan, "If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)

    shipped = shipped_library().first
    assert shipped is not None
    edited = tuple(
        f.model_copy(update={"text": f"{f.text} (revisado)"}) if f.id == VIP_FRAGMENT else f for f in shipped
    )
    release = Story(shipped.header.model_copy(update={"version": 2}), edited)
    published = story_bench(storage, clock, library=StoryLibrary((release,)), prefix="v2")
    app = create_app(
        authenticator=authenticator,
        route_handlers=[story_controller(published.narrative, published.users, published.subscriptions.vip)],
        rate_limit_per_minute=None,
    )
    async with AsyncTestClient(app=app) as after_release:
        newer = await after_release.get(
            where, params={"story": STORY}, headers={**fan, "If-None-Match": etag}
        )
    assert newer.status_code == 200
    assert newer.headers["etag"] != etag
    assert newer.json()["text"].endswith("(revisado)")

    clock.advance(timedelta(days=2))  # the VIP ran out
    late = {"Authorization": tma(sign_init_data(ANA, clock.now())), "If-None-Match": etag}
    gone = await client.get(where, params={"story": STORY}, headers=late)
    assert gone.status_code == 403
