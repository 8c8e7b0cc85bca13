"""What the missions' suites share: a test event to count, a small catalog, the service over a backend."""

from datetime import UTC
from typing import ClassVar, Final

from tests.contracts.inventory_catalog import ROSE, small_catalog
from yabot_adapters.storage import StorageBackend
from yabot_core.inventory import Mochila
from yabot_core.kernel import Event, EventId, FakeClock, SequentialIds, UserId
from yabot_core.missions import MissionCatalog, MissionDefinition, Missions
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService

CLAPS: Final = "aplausos"
"""Once: three loud claps pay 10 besitos and a rose; given on registration."""
DAILY_CLAP: Final = "aplauso-diario"
"""Daily: one clap (loud or not) pays 2 besitos; given by an admin."""
WEEKLY: Final = "semana-de-aplausos"
"""Weekly: five claps pay 7 besitos; given by the first clap."""


class Clapped(Event):
    """A fan clapped (a test event: the missions count any event type)."""

    event_type: ClassVar[str] = "tests.clapped"

    user_id: UserId
    loud: bool = False


def clap(clock: FakeClock, user: UserId, event_id: str, *, loud: bool = False) -> Clapped:
    """A clap by ``user``, now, with the given event id (the same id twice is a redelivery)."""
    return Clapped(
        event_id=EventId(event_id), occurred_at=clock.now(), correlation_id="c", user_id=user, loud=loud
    )


def mission(mission_id: str, **fields: object) -> MissionDefinition:
    return MissionDefinition.model_validate(
        {"id": mission_id, "titulo": mission_id.title(), "descripcion": f"La misión {mission_id}.", **fields}
    )


def clap_catalog() -> MissionCatalog:
    return MissionCatalog(
        (
            mission(
                CLAPS,
                objetivo={"evento": "tests.clapped", "cantidad": 3, "filtro": {"loud": True}},
                recompensa={"besitos": 10, "objeto": ROSE},
            ),
            mission(
                DAILY_CLAP,
                tipo="diaria",
                asignar="manual",
                objetivo={"evento": "tests.clapped"},
                recompensa={"besitos": 2},
            ),
            mission(
                WEEKLY,
                tipo="semanal",
                asignar="tests.clapped",
                objetivo={"evento": "tests.clapped", "cantidad": 5},
                recompensa={"besitos": 7},
            ),
        )
    )


def missions_over(
    storage: StorageBackend, clock: FakeClock, catalog: MissionCatalog | None = None
) -> Missions:
    """The missions over ``storage``, in UTC."""
    ids = SequentialIds("m")
    return Missions(
        storage.transactions,
        storage.mission_queries,
        UserDirectory(storage.transactions, storage.user_queries, clock, ids),
        WalletService(storage.transactions, storage.wallet_queries, clock, ids),
        Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids),
        catalog=catalog or clap_catalog(),
        clock=clock,
        ids=ids,
        zone=UTC,
    )
