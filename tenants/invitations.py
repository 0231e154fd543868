"""Invitations: a signed, expiring, single-use link sent by e-mail.

The token is ``itsdangerous``-signed with the secret key (salted for this purpose) and carries the invitation id
and its random nonce; the signature's timestamp bounds its age, the row's ``expires_at`` too, and the row makes it
single-use and revocable. A forged, altered, expired, revoked or used link is refused with the same message.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.passwords import hash_password_off_loop, password_problem
from nexo.platform.accounts.services import get_user_by_email
from nexo.platform.db.base import utcnow
from nexo.platform.db.tenancy import bind_tenant
from nexo.platform.mail import Mail, send_mail
from nexo.platform.settings import Settings
from nexo.platform.tenancy.context import Role, TenantContext
from nexo.tenants.audit import record
from nexo.tenants.models import Invitation, Membership, Tenant

SALT = "nexo.invitation"
INVALID_LINK = "This invitation link is invalid, has expired or was already used. Ask for a new invitation."


class InvitationError(Exception):
    def __init__(self, message: str, field: str = "form") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.app.secret_key, salt=SALT)


def invitation_token(settings: Settings, invitation: Invitation) -> str:
    return _serializer(settings).dumps({"id": invitation.id, "nonce": invitation.nonce})


def invitation_url(settings: Settings, invitation: Invitation) -> str:
    return f"{settings.app.base_url}/invitations/{invitation_token(settings, invitation)}"


def normalized_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvitationError(f"This e-mail address is not valid: {exc}", "email") from None


async def invite(session: AsyncSession, settings: Settings, actor: TenantContext, email: str, role: Role) -> Invitation:
    """Create an invitation and e-mail its link; audited. Re-inviting replaces the pending invitation."""
    email = normalized_email(email)
    if role is Role.OWNER and not actor.is_owner:
        raise InvitationError("Only an owner can invite another owner.", "role")
    already = await session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == actor.tenant_id, User.email == email)
    )
    if already:
        raise InvitationError(f"{email} is already a member of this workspace.", "email")
    now = utcnow()
    for pending in await session.scalars(
        select(Invitation).where(
            Invitation.tenant_id == actor.tenant_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        pending.revoked_at = now
    invitation = Invitation(
        tenant_id=actor.tenant_id,
        email=email,
        role=role,
        nonce=secrets.token_urlsafe(24),
        invited_by_user_id=actor.user_id,
        expires_at=now + datetime.timedelta(seconds=settings.security.invitation_max_age_seconds),
    )
    session.add(invitation)
    await session.flush()
    await record(session, "member.invited", target=email, details={"role": role.value}, **actor.actor)
    await send_mail(settings, invitation_mail(settings, invitation, actor))
    return invitation


def invitation_mail(settings: Settings, invitation: Invitation, actor: TenantContext) -> Mail:
    days = settings.security.invitation_max_age_seconds // 86400
    text = (
        f"{actor.user_name} ({actor.user_email}) invites you to join {actor.name} on Nexo "
        f"as {invitation.role.value}.\n\n"
        f"Accept the invitation here:\n{invitation_url(settings, invitation)}\n\n"
        f"The link works once and expires in {days} days. If you did not expect it, ignore this e-mail."
    )
    return Mail(to=invitation.email, subject=f"Join {actor.name} on Nexo", text=text)


async def pending_invitations(session: AsyncSession, tenant_id: int) -> list[Invitation]:
    rows = await session.scalars(
        select(Invitation)
        .where(Invitation.tenant_id == tenant_id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
    )
    return list(rows)


async def revoke(session: AsyncSession, actor: TenantContext, invitation_id: int) -> Invitation:
    invitation = await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.tenant_id == actor.tenant_id)
    )
    if invitation is None or not invitation.is_pending:
        raise InvitationError("This invitation is no longer pending.")
    invitation.revoked_at = utcnow()
    await record(session, "member.invitation_revoked", target=invitation.email, **actor.actor)
    return invitation


async def open_invitation(session: AsyncSession, settings: Settings, token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation behind ``token``, or ``InvitationError(INVALID_LINK)``."""
    try:
        payload = _serializer(settings).loads(token, max_age=settings.security.invitation_max_age_seconds)
        invitation_id, nonce = int(payload["id"]), str(payload["nonce"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InvitationError(INVALID_LINK) from None
    query = select(Invitation).where(Invitation.id == invitation_id)
    invitation = await session.scalar(query.with_for_update(of=Invitation) if lock else query)
    if (
        invitation is None
        or not secrets.compare_digest(invitation.nonce, nonce)
        or not invitation.is_pending
        or invitation.expires_at <= utcnow()
    ):
        raise InvitationError(INVALID_LINK)
    return invitation


@dataclass(frozen=True)
class Acceptance:
    user: User
    tenant: Tenant
    created_account: bool


async def accept(
    session: AsyncSession,
    settings: Settings,
    token: str,
    *,
    signed_in: User | None,
    password: str = "",
    full_name: str = "",
) -> Acceptance:
    """Accept: as the signed-in invitee, as an existing account (its password), or by creating the account.

    The membership, the used invitation and the audit entry land in the caller's transaction.
    """
    invitation = await open_invitation(session, settings, token, lock=True)
    user, created = await _invitee(session, invitation, signed_in=signed_in, password=password, full_name=full_name)
    tenant = invitation.tenant
    exists = await session.scalar(
        select(Membership.id).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    )
    if not exists:
        session.add(Membership(tenant_id=tenant.id, user_id=user.id, role=invitation.role))
    invitation.accepted_at = utcnow()
    await session.flush()
    await bind_tenant(session, tenant.schema_name)
    await record(
        session,
        "member.joined",
        actor_user_id=user.id,
        actor_label=user.email,
        target=user.email,
        details={"role": invitation.role.value, "new_account": created},
    )
    return Acceptance(user=user, tenant=tenant, created_account=created)


async def _invitee(
    session: AsyncSession, invitation: Invitation, *, signed_in: User | None, password: str, full_name: str
) -> tuple[User, bool]:
    from nexo.platform.accounts.services import authenticate

    if signed_in is not None and signed_in.email == invitation.email:
        return signed_in, False
    existing = await get_user_by_email(session, invitation.email)
    if existing is not None:
        user = await authenticate(session, invitation.email, password)
        if user is None:
            raise InvitationError("Wrong password for this account.", "password")
        return user, False
    full_name = full_name.strip()
    if not full_name:
        raise InvitationError("Enter your name.", "full_name")
    if len(full_name) > 200:
        raise InvitationError("Use at most 200 characters.", "full_name")
    problem = password_problem(password, email=invitation.email, name=full_name)
    if problem:
        raise InvitationError(problem, "password")
    user = User(email=invitation.email, full_name=full_name, password_hash=await hash_password_off_loop(password))
    session.add(user)
    await session.flush()
    return user, True
