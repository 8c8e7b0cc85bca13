"""API keys plugged in: the core scopes, the keys, and ``yabot apikey`` to issue and revoke them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.plug import BuiltModules, Kernel, ModulePlug
from yabot_core import apikeys
from yabot_core.apikeys import CORE_SCOPES, ApiKeys

if TYPE_CHECKING:
    import click


@dataclass(frozen=True, slots=True)
class ApiKeysModule:
    """The API keys module's services."""

    keys: ApiKeys


class ApiKeysPlug(ModulePlug[ApiKeysModule]):
    """Keys for services and the creator's tools; the HTTP API checks them on every request."""

    manifest = apikeys.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> ApiKeysModule:
        """Keys over storage, offering every scope some module's routes ask for."""
        storage = kernel.storage
        audit = modules.get(AuditModule).log
        queries = storage.api_key_queries
        keys = ApiKeys(
            storage.transactions, queries, kernel.clock, kernel.ids, scopes=kernel.api_scopes, audit=audit
        )
        return ApiKeysModule(keys)

    def scopes(self) -> Mapping[str, str]:
        """``users:read`` and ``admin``, which every installation has."""
        return CORE_SCOPES

    def commands(self) -> Sequence["click.Command"]:
        """``yabot apikey create|list|revoke``."""
        from yabot_app.cli.apikeys import apikey_group  # noqa: PLC0415  (the CLI imports the registry)

        return [apikey_group]


PLUG = ApiKeysPlug()
