"""The user directory: register once, refresh Telegram profiles, never let an operator erase names."""

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
