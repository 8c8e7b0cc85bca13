"""The missions' rules on the in-memory backend: periods, expiry, assignment, filters."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.contracts.mission_fixtures import (
    CLAPS,
    DAILY_CLAP,
    WEEKLY,
    clap,
    clap_catalog,
    mission,
    missions_over,
)
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import opened
from yabot_core.kernel import FakeClock, UserId
from yabot_core.missions import (
    InvalidMissionCatalogError,
    MissionCatalog,
    MissionExpiredError,
    MissionKind,
    UnknownMissionError,
    period_of,
)

FAN = UserId(5)


@pytest.fixture(name="storage")
async def storage_fixture(clock: FakeClock) -> AsyncIterator[InMemoryStorage]:
    async with opened(InMemoryStorage(clock)) as storage:
        yield storage


class TestPeriods:
    def test_days_and_iso_weeks_are_the_bot_time_zones(self) -> None:
        """Sunday 23:30 in Mexico City is Monday in UTC: the period follows the zone."""
        zone = ZoneInfo("America/Mexico_City")
        sunday_night = datetime(2026, 1, 5, 5, 30, tzinfo=UTC)  # Sunday 4 January, 23:30 local
        assert period_of(MissionKind.ONCE, sunday_night, zone) == "unica"
        assert period_of(MissionKind.DAILY, sunday_night, zone) == "2026-01-04"
        assert period_of(MissionKind.WEEKLY, sunday_night, zone) == "2026-W01"
        assert period_of(MissionKind.WEEKLY, sunday_night, UTC) == "2026-W02"


class TestCatalog:
    def test_a_repeated_id_or_an_empty_reward_is_refused(self) -> None:
        """The catalog checks itself whole, in Spanish."""
        one = mission("uno", objetivo={"evento": "tests.clapped"}, recompensa={"besitos": 1})
        empty = mission("dos", objetivo={"evento": "tests.clapped"}, recompensa={})
        with pytest.raises(InvalidMissionCatalogError) as caught:
            MissionCatalog((one, one, empty))
        assert [str(p) for p in caught.value.problems] == [
            "misión «uno»: el id «uno» ya lo usa la misión n.º 1.",
            "misión «dos»: la recompensa no da nada: ponga «besitos», «objeto» o ambos.",
        ]


class TestAssignment:
    async def test_an_admin_assigns_once_and_unknown_or_expired_missions_are_refused(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Assigning again returns the first; an unknown id gets a hint; one past its day is refused."""
        missions = missions_over(storage, clock)
        first = await missions.assign(FAN, DAILY_CLAP)
        assert await missions.assign(FAN, DAILY_CLAP) == first
        with pytest.raises(UnknownMissionError, match=r"¿quiso decir «aplausos»\?"):
            await missions.assign(FAN, "aplauso")
        old = mission(
            "vieja",
            objetivo={"evento": "tests.clapped"},
            recompensa={"besitos": 1},
            caduca=date(2025, 12, 31),
        )
        with pytest.raises(MissionExpiredError):
            await missions_over(storage, clock, MissionCatalog((old,))).assign(FAN, "vieja")

    async def test_only_loud_claps_count_where_the_filter_asks(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """«aplausos» counts loud claps only; the weekly mission, given by the first clap, counts them all."""
        missions = missions_over(storage, clock)
        await missions.assign(FAN, CLAPS)
        await missions.on_event(clap(clock, FAN, "a"))
        await missions.on_event(clap(clock, FAN, "b", loud=True))
        view = await missions.view(FAN)
        progress = {status.definition.id: status.progress for status in view.active}
        assert progress == {CLAPS: 1, WEEKLY: 2}

    async def test_an_expired_mission_stops_counting_and_leaves_the_view(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """After its last day, a mission under way no longer moves and /misiones no longer shows it."""
        brief = mission(
            "breve",
            objetivo={"evento": "tests.clapped", "cantidad": 2},
            recompensa={"besitos": 1},
            caduca=clock.now().date(),
        )
        missions = missions_over(storage, clock, MissionCatalog((*clap_catalog(), brief)))
        await missions.assign(FAN, "breve")
        await missions.on_event(clap(clock, FAN, "a"))
        clock.advance(timedelta(days=1))
        await missions.on_event(clap(clock, FAN, "b"))
        view = await missions.view(FAN)
        assert "breve" not in [status.definition.id for status in (*view.active, *view.completed)]
        (record,) = [m for m in await storage.mission_queries.for_user(FAN) if m.mission_id == "breve"]
        assert record.progress == 1
