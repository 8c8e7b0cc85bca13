"""The ``/admin`` menu: aiogram-dialog screens that modules contribute, behind the admins' gate."""

from yabot_adapters.telegram.admin.panel import AdminMenu, build_admin_router
from yabot_adapters.telegram.admin.screens import acting_admin, audit_failure, render, served

__all__ = ["AdminMenu", "acting_admin", "audit_failure", "build_admin_router", "render", "served"]
