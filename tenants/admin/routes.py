"""The admin area's controllers, as mounted by ``nexo.platform.core``."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from nexo.tenants.admin.audit_pages import AuditPages
from nexo.tenants.admin.invitation_pages import InvitationPages
from nexo.tenants.admin.members_pages import MembersPages
from nexo.tenants.admin.modules_pages import ModulesPages, PurgePages
from nexo.tenants.admin.workspace_pages import LogoPage, WorkspaceSettingsPages

ADMIN_WORKSPACE_HANDLERS: list[ControllerRouterHandler] = [
    ModulesPages,
    PurgePages,
    MembersPages,
    WorkspaceSettingsPages,
    AuditPages,
    LogoPage,
]
ADMIN_ROOT_HANDLERS: list[ControllerRouterHandler] = [InvitationPages]
