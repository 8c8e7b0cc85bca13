"""Who may use the admin menu, and the record of everyone turned away from it."""

from collections.abc import Iterable
from typing import Final

from yabot_core.audit import Actor, AuditEntry, AuditLog, user_target
from yabot_core.kernel import UserId, YabotError

REFUSED_ACTION: Final = "admin.refused"
"""The audit action of someone who is not an admin trying an admin door (``/admin``)."""


class AdminGate:
    """The admins are the Telegram ids the creator configured (``YABOT_ADMIN_IDS``), nobody else.

    A refusal is written to the audit log: an admin door tried by a stranger is worth knowing about.
    """

    def __init__(self, admins: Iterable[int], audit: AuditLog) -> None:
        self._admins = frozenset(admins)
        self._audit = audit

    @property
    def admins(self) -> frozenset[int]:
        """The admins' Telegram ids."""
        return self._admins

    def is_admin(self, user_id: int) -> bool:
        """Whether ``user_id`` is one of the admins."""
        return user_id in self._admins

    async def refuse(self, user_id: UserId, door: str) -> AuditEntry:
        """Write down that ``user_id``, who is no admin, tried ``door`` (``/admin``, a menu button)."""
        return await self._audit.record(
            Actor.user(user_id),
            REFUSED_ACTION,
            user_target(user_id),
            detail={"door": door[:64], "result": "rechazado"},
        )

    async def failed(self, actor: Actor, action: str, target: str, error: YabotError) -> AuditEntry:
        """Write down an admin's action that was refused (changing nothing), with the error's code.

        A successful action is recorded by its own service, in its unit of work; a refused one has no unit
        of work that committed, so the menu records the attempt here, under the same action code.
        """
        return await self._audit.record(
            actor, action, target, detail={"result": error.code, "error": error.message[:200]}
        )
