"""The user directory: registers users once, keeps their profile fresh, answers who someone is."""

from dataclasses import dataclass

from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdGenerator,
    Transactions,
    UserId,
    checked_user_id,
)
from yabot_core.users.errors import UserNotFoundError
from yabot_core.users.events import UserRegistered
from yabot_core.users.models import User, UserProfile, UserSource
from yabot_core.users.ports import UserQueries, UsersUnitOfWork


@dataclass(frozen=True, slots=True)
class Registration:
    """The outcome of :meth:`UserDirectory.register`: the stored user and whether they are new."""

    user: User
    created: bool


class UserDirectory:
    """Registers users and publishes ``UserRegistered`` exactly once per user."""

    def __init__(
        self,
        transactions: Transactions[UsersUnitOfWork],
        queries: UserQueries,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._clock = clock
        self._stamper = EventStamper(clock, ids)

    async def register(
        self, profile: UserProfile, *, source: UserSource = UserSource.TELEGRAM
    ) -> Registration:
        """Register the user if new, or refresh their profile if it changed; safe to call on every update.

        Registering a known user never publishes ``UserRegistered`` again. Telegram's profile is authoritative
        and replaces the stored one when it differs; an operator's registration never changes a known profile.
        A registration from Telegram means the user is writing to the bot, so it also makes a user who had
        blocked the bot reachable again.
        """
        known = await self._queries.get(profile.user_id)
        if known is not None and _unchanged(known, profile, source):
            return Registration(known, created=False)
        return await self._transactions.run(lambda uow: self.register_in(uow, profile, source=source))

    async def mark_unreachable(self, user_id: UserId) -> User | None:
        """Remember that the user blocked the bot: Telegram refuses whatever is sent to them.

        Returns the user as stored, or ``None`` for an id nobody registered: blocking the bot is no
        interaction with it, so an unknown user stays unknown (and gets no welcome gift). No event is
        published. Marking an unreachable user again keeps the first ``blocked_at``.

        Raises:
            InvalidInputError: ``user_id`` is not a positive integer.
        """
        return await self._set_reachable(user_id, reachable=False)

    async def mark_reachable(self, user_id: UserId) -> User | None:
        """Forget a block: the user unblocked the bot. ``None`` for an id nobody registered (left unknown).

        Raises:
            InvalidInputError: ``user_id`` is not a positive integer.
        """
        return await self._set_reachable(user_id, reachable=True)

    async def get(self, user_id: UserId) -> User:
        """Return a registered user.

        Raises:
            InvalidInputError: ``user_id`` is not a positive integer.
            UserNotFoundError: nobody is registered with that id.
        """
        checked_user_id(user_id)
        user = await self._queries.get(user_id)
        if user is None:
            raise UserNotFoundError(user_id)
        return user

    async def register_in(
        self, uow: UsersUnitOfWork, profile: UserProfile, *, source: UserSource = UserSource.TELEGRAM
    ) -> Registration:
        """:meth:`register` inside the caller's unit of work, to commit it with other modules' changes.

        The caller runs ``Transactions.run`` over a unit of work serving every module involved; whatever the
        caller raises later in the same work undoes the registration too.
        """
        now = self._clock.now()
        known = await uow.users.get(profile.user_id)
        if known is None:
            user = User(**profile.model_dump(), source=source, registered_at=now, updated_at=now)
            await uow.users.save(user)
            uow.record(
                UserRegistered(
                    **self._stamper.stamp(),
                    user_id=user.user_id,
                    source=source,
                    first_name=user.first_name,
                    username=user.username,
                )
            )
            return Registration(user, created=True)
        if _unchanged(known, profile, source):
            return Registration(known, created=False)
        # only Telegram gets here: its profile replaces ours, and writing to the bot unblocks it
        user = known.model_copy(update={**profile.model_dump(), "updated_at": now, "blocked_at": None})
        await uow.users.save(user)
        return Registration(user, created=False)

    async def vouch_in(self, uow: UsersUnitOfWork, user_id: UserId) -> Registration:
        """An operator vouches for ``user_id``: register it if unknown, inside the caller's unit of work.

        A known user is left as is (see :meth:`register_in` with ``UserSource.OPERATOR``).

        Raises:
            InvalidInputError: ``user_id`` is not a positive integer.
        """
        profile = UserProfile(user_id=checked_user_id(user_id))
        return await self.register_in(uow, profile, source=UserSource.OPERATOR)

    async def _set_reachable(self, user_id: UserId, *, reachable: bool) -> User | None:
        checked_user_id(user_id)
        known = await self._queries.get(user_id)
        if known is None or known.reachable is reachable:
            return known  # nothing to write: the usual case, and no transaction for strangers
        return await self._transactions.run(
            lambda uow: self._set_reachable_in(uow, user_id, reachable=reachable)
        )

    async def _set_reachable_in(
        self, uow: UsersUnitOfWork, user_id: UserId, *, reachable: bool
    ) -> User | None:
        known = await uow.users.get(user_id)
        if known is None or known.reachable is reachable:
            return known
        now = self._clock.now()
        user = known.model_copy(update={"blocked_at": None if reachable else now, "updated_at": now})
        await uow.users.save(user)
        return user


def _unchanged(known: User, fresh: UserProfile, source: UserSource) -> bool:
    """Whether registering ``fresh`` from ``source`` would leave ``known`` as it is.

    An operator only vouches that the id exists, so never changes a known user; Telegram's word replaces
    ours, and a user writing to the bot is reachable again.
    """
    if source is not UserSource.TELEGRAM:
        return True
    return known.reachable and fresh == known.profile()
