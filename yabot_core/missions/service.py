"""Missions: given on registration, on an event or by an admin; advanced by events; paid once when done."""

from datetime import datetime, tzinfo

from yabot_core.audit import Actor, AuditLog, user_target
from yabot_core.inventory import (
    ItemCatalog,
    ItemId,
    ItemNotStackableError,
    MaxQuantityError,
    Mochila,
    UnknownItemError,
)
from yabot_core.kernel import (
    Clock,
    ConflictError,
    Event,
    EventStamper,
    IdGenerator,
    Transactions,
    UserId,
    checked_user_id,
    system_key,
)
from yabot_core.missions.content import MissionCatalog, MissionDefinition
from yabot_core.missions.events import MissionAssigned, MissionCompleted
from yabot_core.missions.models import (
    MISSION_REWARD,
    MissionStatus,
    MissionsView,
    UserMission,
    period_of,
)
from yabot_core.missions.ports import MissionQueries, MissionsUnitOfWork
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService

ADMIN_SOURCE = "admin"


class MissionExpiredError(ConflictError):
    """The mission's last day (``caduca``) has passed: it can no longer be given."""

    code = "mision_caducada"

    def __init__(self, mission_id: str) -> None:
        super().__init__(f"La misión «{mission_id}» ya ha caducado.", detail={"mission_id": mission_id})


class Missions:
    """Every fan's missions over any storage adapter and one missions catalog.

    Progress is driven by events (:meth:`on_event`, a bus handler): each event is counted at most once per
    fan, its id stored with the progress in one unit of work, so a redelivered event never counts twice.
    Reaching the objective completes the mission for its period and pays the reward in that same unit of
    work, under the key ``yabot:mission:<user>:<mission>:<period>``: the wallet and the mochila refuse a
    second payment on their own. Progress never exceeds the objective. A reward item the mochila cannot take
    is left out; the besitos are paid.
    """

    def __init__(
        self,
        transactions: Transactions[MissionsUnitOfWork],
        queries: MissionQueries,
        users: UserDirectory,
        wallet: WalletService,
        mochila: Mochila,
        *,
        catalog: MissionCatalog,
        clock: Clock,
        ids: IdGenerator,
        zone: tzinfo,
        audit: AuditLog | None = None,
    ) -> None:
        self._transactions = transactions
        self._audit = audit
        self._queries = queries
        self._users = users
        self._wallet = wallet
        self._mochila = mochila
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self.catalog = catalog
        self.zone = zone

    @property
    def items(self) -> ItemCatalog:
        """The items catalog reward items come from (to name them to the fan)."""
        return self._mochila.catalog

    async def assign(
        self, user_id: UserId, mission_id: str, *, source: str = ADMIN_SOURCE, actor: Actor | None = None
    ) -> UserMission:
        """Give the fan a mission (registering an unknown fan); giving it again returns the first.

        With ``actor`` (an admin, an API key), a new assignment is written to the audit log in the same unit
        of work (``missions.assign``); giving it again records nothing, as it changes nothing.

        Raises:
            InvalidInputError: a bad user id.
            UnknownMissionError: the catalog has no such mission.
            MissionExpiredError: its last day has passed.
        """
        user = checked_user_id(user_id)
        definition = self.catalog.mission(mission_id)

        async def work(uow: MissionsUnitOfWork) -> UserMission:
            await self._users.vouch_in(uow, user)
            existing = await uow.missions.get(user, definition.id)
            if existing is not None:
                return existing
            now = self._clock.now()
            if self._expired(definition, now):
                raise MissionExpiredError(definition.id)
            mission = await self._assign_in(uow, user, definition, source, now)
            if actor is not None and self._audit is not None:
                detail = {"mission_id": definition.id}
                await self._audit.record_in(uow, actor, "missions.assign", user_target(user), detail=detail)
            return mission

        return await self._transactions.run(work)

    async def on_event(self, event: Event) -> None:
        """Count ``event`` for its fan: give the missions it gives, advance those it counts towards."""
        user = event.user_id
        if user is None:
            return
        giving = [m for m in self.catalog if m.assign_on == event.event_type]
        counting = [m for m in self.catalog if m.objective.matches(event)]
        if not giving and not counting:
            return

        async def work(uow: MissionsUnitOfWork) -> None:
            if await uow.missions.counted(event.event_id):
                return
            await uow.missions.count(event.event_id, user)
            when = event.occurred_at
            for definition in giving:
                if (
                    not self._expired(definition, when)
                    and await uow.missions.get(user, definition.id) is None
                ):
                    await self._assign_in(uow, user, definition, definition.assign, when)
            for definition in counting:
                await self._advance(uow, user, definition, when)

        await self._transactions.run(work)

    async def completed(self, user_id: UserId, mission_id: str) -> bool:
        """Whether the fan has completed the mission at least once, in any period (committed data).

        Completions only ever grow, so an answer of ``True`` never turns false: other modules (the story's
        ``mision`` condition) may rely on it outside their own unit of work.

        Raises:
            InvalidInputError: a bad user id.
            UnknownMissionError: the catalog has no such mission.
        """
        user = checked_user_id(user_id)
        definition = self.catalog.mission(mission_id)
        records = await self._queries.for_user(user)
        return any(r.mission_id == definition.id and r.completions > 0 for r in records)

    async def view(self, user_id: UserId) -> MissionsView:
        """The fan's missions now: under way (with progress) and done in their current period."""
        user = checked_user_id(user_id)
        now = self._clock.now()
        records = {record.mission_id: record for record in await self._queries.for_user(user)}
        active: list[MissionStatus] = []
        completed: list[MissionStatus] = []
        for definition in self.catalog:
            record = records.get(definition.id)
            if record is None:
                continue
            current = record.in_period(period_of(definition.kind, now, self.zone))
            done = current.completed_at is not None
            if not done and self._expired(definition, now):
                continue
            status = MissionStatus(
                definition=definition,
                progress=current.progress,
                target=definition.objective.count,
                completed=done,
                completions=current.completions,
            )
            (completed if done else active).append(status)
        return MissionsView(user_id=user, active=tuple(active), completed=tuple(completed))

    # --- inside the transaction -------------------------------------------------------------------------

    async def _assign_in(
        self,
        uow: MissionsUnitOfWork,
        user: UserId,
        definition: MissionDefinition,
        source: str,
        when: datetime,
    ) -> UserMission:
        mission = UserMission(
            user_id=user,
            mission_id=definition.id,
            source=source,
            assigned_at=self._clock.now(),
            period=period_of(definition.kind, when, self.zone),
            progress=0,
            version=1,
        )
        await uow.missions.save(mission)
        uow.record(
            MissionAssigned(**self._stamper.stamp(), user_id=user, mission_id=definition.id, source=source)
        )
        return mission

    async def _advance(
        self, uow: MissionsUnitOfWork, user: UserId, definition: MissionDefinition, when: datetime
    ) -> None:
        record = await uow.missions.get(user, definition.id)
        if record is None or self._expired(definition, when):
            return
        period = period_of(definition.kind, when, self.zone)
        if period < record.period:  # a late event of a period already over (periods sort as text)
            return
        current = record.in_period(period)
        if current.completed_at is not None:
            return
        target = definition.objective.count
        progress = min(current.progress + 1, target)
        if progress < target:
            await uow.missions.save(
                current.model_copy(update={"progress": progress, "version": record.version + 1})
            )
            return
        done = current.model_copy(
            update={
                "progress": target,
                "completed_at": self._clock.now(),
                "completions": current.completions + 1,
                "version": record.version + 1,
            }
        )
        await uow.missions.save(done)
        await self._pay(uow, user, definition, period)

    async def _pay(
        self, uow: MissionsUnitOfWork, user: UserId, definition: MissionDefinition, period: str
    ) -> None:
        reward = definition.reward
        key = system_key("mission", user, definition.id, period)
        item_id: ItemId | None = None
        quantity = 0
        if reward.item_id is not None:
            try:
                await self._mochila.add_in(
                    uow, user, reward.item_id, reward.quantity, reason=MISSION_REWARD, idempotency_key=key
                )
                item_id, quantity = reward.item_id, reward.quantity
            except (ItemNotStackableError, MaxQuantityError, UnknownItemError):
                pass  # the mochila checks before it writes: this unit of work stays clean
        if reward.besitos:
            await self._wallet.credit_in(uow, user, reward.besitos, MISSION_REWARD, idempotency_key=key)
        uow.record(
            MissionCompleted(
                **self._stamper.stamp(),
                user_id=user,
                mission_id=definition.id,
                period=period,
                besitos=reward.besitos,
                item_id=item_id,
                quantity=quantity,
            )
        )

    def _expired(self, definition: MissionDefinition, when: datetime) -> bool:
        last = definition.expires_on
        return last is not None and when.astimezone(self.zone).date() > last
