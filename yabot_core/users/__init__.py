"""Users: who the bot knows. Public API of the module; other code imports from here only."""

from yabot_core.users.directory import Registration, UserDirectory
from yabot_core.users.errors import UserNotFoundError
from yabot_core.users.events import UserRegistered
from yabot_core.users.manifest import MANIFEST
from yabot_core.users.models import User, UserProfile, UserSource
from yabot_core.users.ports import UserQueries, UserRepository, UserStorage, UsersUnitOfWork

__all__ = [
    "MANIFEST",
    "Registration",
    "User",
    "UserDirectory",
    "UserNotFoundError",
    "UserProfile",
    "UserQueries",
    "UserRegistered",
    "UserRepository",
    "UserSource",
    "UserStorage",
    "UsersUnitOfWork",
]
