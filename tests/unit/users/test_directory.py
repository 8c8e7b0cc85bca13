"""The user directory: register once, refresh Telegram profiles, never let an operator erase names."""

from datetime import timedelta

import pytest

from tests.contracts.common import recorded_events
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import FakeClock, InvalidInputError, UserId
from yabot_core.users import UserDirectory, UserNotFoundError, UserProfile, UserRegistered, UserSource

ANA = UserId(21)


async def registered_events(storage: InMemoryStorage) -> list[UserRegistered]:
    events = await recorded_events(storage)
    return [e for e in events if isinstance(e, UserRegistered)]


class TestUserDirectory:
    async def test_first_registration_publishes_once(
        self, users: UserDirectory, storage: InMemoryStorage
    ) -> None:
        """A new user is stored and announced; registering again announces nothing."""
        first = await users.register(UserProfile(user_id=ANA, first_name="Ana", username="ana"))
        again = await users.register(UserProfile(user_id=ANA, first_name="Ana", username="ana"))
        assert first.created
        assert not again.created
        assert again.user == first.user
        (event,) = await registered_events(storage)
        assert (event.user_id, event.first_name, event.source) == (ANA, "Ana", UserSource.TELEGRAM)

    async def test_telegram_profile_changes_are_kept(
        self, users: UserDirectory, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Telegram's profile is authoritative: a changed name replaces the stored one."""
        await users.register(UserProfile(user_id=ANA, first_name="Ana", username="ana"))
        registration = await users.register(UserProfile(user_id=ANA, first_name="Anita"))
        assert not registration.created
        assert (registration.user.first_name, registration.user.username) == ("Anita", None)
        assert len(await registered_events(storage)) == 1

    async def test_an_operator_registration_never_erases_a_profile(self, users: UserDirectory) -> None:
        """Registering a known user from the shell keeps their names."""
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        registration = await users.register(UserProfile(user_id=ANA), source=UserSource.OPERATOR)
        assert registration.user.first_name == "Ana"

    async def test_an_operator_can_register_a_stranger(
        self, users: UserDirectory, storage: InMemoryStorage
    ) -> None:
        """An operator may register an id before the user talks to the bot."""
        registration = await users.register(UserProfile(user_id=ANA), source=UserSource.OPERATOR)
        assert registration.created
        assert registration.user.source is UserSource.OPERATOR
        assert registration.user.display_name == "usuario 21"

    async def test_vouching_registers_a_stranger_and_leaves_a_known_user_alone(
        self, users: UserDirectory, storage: InMemoryStorage
    ) -> None:
        """``vouch_in`` registers an unknown id as the operator's; a known user keeps names and block."""
        stranger = await storage.transactions.run(lambda uow: users.vouch_in(uow, ANA))
        assert stranger.created
        assert stranger.user.source is UserSource.OPERATOR
        await users.register(UserProfile(user_id=UserId(22), first_name="Bea"))
        await users.mark_unreachable(UserId(22))
        known = await storage.transactions.run(lambda uow: users.vouch_in(uow, UserId(22)))
        assert not known.created
        assert known.user == await users.get(UserId(22))
        assert (known.user.first_name, known.user.reachable) == ("Bea", False)
        with pytest.raises(InvalidInputError):
            await storage.transactions.run(lambda uow: users.vouch_in(uow, UserId(0)))

    async def test_get_finds_or_raises_in_spanish(self, users: UserDirectory) -> None:
        """``get`` returns a registered user, or a not-found error with code and Spanish message."""
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        assert (await users.get(ANA)).first_name == "Ana"
        with pytest.raises(UserNotFoundError) as caught:
            await users.get(UserId(99))
        assert caught.value.code == "usuario_no_encontrado"
        assert "99" in caught.value.message
        with pytest.raises(InvalidInputError):
            await users.get(UserId(0))

    def test_display_name_falls_back(self) -> None:
        """Users are addressed by first name, else @username, else their id."""
        assert UserProfile(user_id=ANA, first_name="Ana", username="a").display_name == "Ana"
        assert UserProfile(user_id=ANA, username="a").display_name == "@a"


class TestReachability:
    async def test_a_block_marks_the_user_unreachable_once(
        self, users: UserDirectory, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Blocking the bot sets ``blocked_at`` to the first block's time; it publishes nothing."""
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        clock.advance(timedelta(hours=1))
        blocked_at = clock.now()
        first = await users.mark_unreachable(ANA)
        clock.advance(timedelta(hours=1))
        again = await users.mark_unreachable(ANA)
        assert first is not None
        assert again == first
        assert (first.blocked_at, first.updated_at, first.reachable) == (blocked_at, blocked_at, False)
        assert (await users.get(ANA)).blocked_at == blocked_at
        assert len(await recorded_events(storage)) == 1  # the registration only

    async def test_a_stranger_who_blocks_stays_unknown(
        self, users: UserDirectory, storage: InMemoryStorage
    ) -> None:
        """Blocking or unblocking is no interaction: an unknown user is not registered, and gets no gift."""
        assert await users.mark_unreachable(ANA) is None
        assert await users.mark_reachable(ANA) is None
        with pytest.raises(UserNotFoundError):
            await users.get(ANA)
        assert await recorded_events(storage) == []

    async def test_unblocking_or_writing_again_makes_the_user_reachable(self, users: UserDirectory) -> None:
        """``mark_reachable`` clears the block; so does a registration from Telegram (the user wrote)."""
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        await users.mark_unreachable(ANA)
        unblocked = await users.mark_reachable(ANA)
        assert unblocked is not None
        assert unblocked.reachable

        await users.mark_unreachable(ANA)
        registration = await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        assert not registration.created
        assert registration.user.reachable
        assert (await users.get(ANA)).reachable

    async def test_an_operator_registration_leaves_a_block_alone(self, users: UserDirectory) -> None:
        """An operator vouching for an id says nothing about whether the user still blocks the bot."""
        await users.register(UserProfile(user_id=ANA, first_name="Ana"))
        await users.mark_unreachable(ANA)
        registration = await users.register(UserProfile(user_id=ANA), source=UserSource.OPERATOR)
        assert not registration.user.reachable

    async def test_marking_checks_the_id(self, users: UserDirectory) -> None:
        """A non-positive id is refused in Spanish, as ``get`` refuses it."""
        with pytest.raises(InvalidInputError):
            await users.mark_unreachable(UserId(0))
        with pytest.raises(InvalidInputError):
            await users.mark_reachable(UserId(-5))
