"""Members: invitations by e-mail (followed from a real SMTP server), roles, removal, last-owner protection."""

from __future__ import annotations

import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.tenancy.context import Role
from nexo.tenants.models import Invitation, Membership
from nexo.tests.factories import DEFAULT_PASSWORD, WebClient, Workspace, add_member, make_user, unique_email
from nexo.tests.integration.admin.helpers import audit_actions, htmx
from nexo.tests.mailbox import Mailbox


async def membership_of(sessions: async_sessionmaker[AsyncSession], ws: Workspace, user_id: int) -> Membership | None:
    async with sessions() as session:
        found: Membership | None = await session.scalar(
            select(Membership).where(Membership.tenant_id == ws.tenant.id, Membership.user_id == user_id)
        )
        return found


async def invite(web: WebClient, ws: Workspace, email: str, role: str = "member") -> None:
    response = await web.post(f"/w/{ws.slug}/settings/members/invite", {"email": email, "role": role}, headers=htmx())
    assert response.status_code == 200, response.text
    assert f"Invitation sent to {email}" in response.text


def invitation_path(mailbox: Mailbox, email: str) -> str:
    links = mailbox.links(mailbox.last_to(email))
    assert len(links) == 1, links
    return "/" + links[0].split("/", 3)[3]


async def logout(web: WebClient) -> None:
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})


async def test_invite_new_user_who_sets_a_password_and_joins(
    web: WebClient,
    mailbox: Mailbox,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    await web.login(tenant_a.owner.email)
    email = unique_email("newbie")
    await invite(web, tenant_a, email, "admin")
    message = mailbox.last_to(email)
    assert tenant_a.tenant.name in str(message["Subject"])
    path = invitation_path(mailbox, email)
    await logout(web)

    page = await web.get(path)
    assert page.status_code == 200 and "Choose a password" in page.text
    weak = await web.post(path, {"full_name": "New Bie", "password": "short"})
    assert weak.status_code == 400 and "at least 10 characters" in weak.text

    joined = await web.post(path, {"full_name": "New Bie", "password": DEFAULT_PASSWORD})
    assert joined.status_code == 303 and joined.headers["location"] == f"/w/{tenant_a.slug}/"
    home = await web.get(f"/w/{tenant_a.slug}/")
    assert home.status_code == 200 and email in home.text
    assert (await web.get(f"/w/{tenant_b.slug}/")).status_code == 404  # joined A only
    assert (await web.get(f"/w/{tenant_a.slug}/settings/members")).status_code == 200  # invited as admin

    reused = await web.post(path, {"full_name": "Again", "password": DEFAULT_PASSWORD})
    assert reused.status_code == 404 and "already used" in reused.text
    actions = [a for a, _, _ in await audit_actions(sessions, tenant_a)]
    assert "member.invited" in actions and "member.joined" in actions
    assert not [a for a, _, _ in await audit_actions(sessions, tenant_b) if a.startswith("member.")]


async def test_invite_existing_user_joins_with_their_password(
    web: WebClient,
    mailbox: Mailbox,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    existing = tenant_b.owner  # owns B, joins A
    await web.login(tenant_a.owner.email)
    await invite(web, tenant_a, existing.email)
    path = invitation_path(mailbox, existing.email)
    await logout(web)

    page = await web.get(path)
    assert "enter its password" in page.text
    wrong = await web.post(path, {"password": "not-the-password-1"})
    assert wrong.status_code == 400 and "Wrong password" in wrong.text
    assert await membership_of(sessions, tenant_a, existing.id) is None

    joined = await web.post(path, {"password": DEFAULT_PASSWORD})
    assert joined.status_code == 303
    membership = await membership_of(sessions, tenant_a, existing.id)
    assert membership is not None and membership.role is Role.MEMBER
    assert (await web.get(f"/w/{tenant_a.slug}/")).status_code == 200
    assert (await web.get(f"/w/{tenant_b.slug}/")).status_code == 200  # still owner of B
    assert (await web.get(f"/w/{tenant_a.slug}/settings/members")).status_code == 403  # a member, not an admin


async def test_signed_in_invitee_joins_with_one_click(
    web: WebClient,
    mailbox: Mailbox,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    await web.login(tenant_a.owner.email)
    await invite(web, tenant_a, tenant_b.owner.email, "admin")
    path = invitation_path(mailbox, tenant_b.owner.email)
    await logout(web)
    await web.login(tenant_b.owner.email)
    page = await web.get(path)
    assert "You are signed in as" in page.text
    assert (await web.post(path, {})).status_code == 303
    membership = await membership_of(sessions, tenant_a, tenant_b.owner.id)
    assert membership is not None and membership.role is Role.ADMIN


async def test_expired_forged_and_withdrawn_links_are_refused(
    web: WebClient,
    mailbox: Mailbox,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    await web.login(tenant_a.owner.email)
    expired_email, withdrawn_email = unique_email("late"), unique_email("withdrawn")
    await invite(web, tenant_a, expired_email)
    await invite(web, tenant_a, withdrawn_email)
    expired_path = invitation_path(mailbox, expired_email)
    withdrawn_path = invitation_path(mailbox, withdrawn_email)
    async with sessions() as session:
        await session.execute(
            update(Invitation)
            .where(Invitation.email == expired_email)
            .values(expires_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1))
        )
        await session.commit()
        withdrawn_id = await session.scalar(select(Invitation.id).where(Invitation.email == withdrawn_email))
    # tenant B's admin cannot withdraw A's invitation: it is not theirs (same ids space, other tenant)
    await logout(web)
    await web.login(tenant_b.owner.email)
    foreign = await web.post(f"/w/{tenant_b.slug}/settings/members/invitations/{withdrawn_id}/revoke", headers=htmx())
    assert foreign.status_code == 409
    await logout(web)
    await web.login(tenant_a.owner.email)
    revoked = await web.post(f"/w/{tenant_a.slug}/settings/members/invitations/{withdrawn_id}/revoke", headers=htmx())
    assert revoked.status_code == 200 and "withdrawn" in revoked.text
    await logout(web)

    token = expired_path.rsplit("/", 1)[1]
    payload, _, signature = token.rpartition(".")
    forged = f"/invitations/{payload}.{'A' * len(signature)}"
    garbage = "/invitations/not-a-token"
    for path in (expired_path, withdrawn_path, forged, garbage):
        page = await web.get(path)
        assert page.status_code == 404, path
        assert "invalid, has expired or was already used" in page.text
        attempt = await web.post(path, {"full_name": "Eve", "password": DEFAULT_PASSWORD})
        assert attempt.status_code == 404
    async with sessions() as session:
        from nexo.platform.accounts.models import User

        assert await session.scalar(select(User.id).where(User.email.in_([expired_email, withdrawn_email]))) is None


async def test_invite_validation_errors_are_shown_next_to_the_field(
    web: WebClient, mailbox: Mailbox, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await web.login(tenant_a.owner.email)
    bad = await web.post(
        f"/w/{tenant_a.slug}/settings/members/invite", {"email": "nope", "role": "member"}, headers=htmx()
    )
    assert bad.status_code == 400 and 'id="email-error"' in bad.text
    already = await web.post(
        f"/w/{tenant_a.slug}/settings/members/invite", {"email": tenant_a.owner.email, "role": "member"}, headers=htmx()
    )
    assert already.status_code == 400 and "already a member" in already.text
    role = await web.post(
        f"/w/{tenant_a.slug}/settings/members/invite", {"email": unique_email(), "role": "boss"}, headers=htmx()
    )
    assert role.status_code == 400 and 'id="role-error"' in role.text
    assert mailbox.messages == []


async def test_change_role_remove_and_last_owner_protection(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    admin = await make_user(sessions, name="Ada Admin")
    member = await make_user(sessions, name="Mo Member")
    await add_member(sessions, tenant_a, admin, Role.ADMIN)
    await add_member(sessions, tenant_a, member, Role.MEMBER)
    owner_membership = await membership_of(sessions, tenant_a, tenant_a.owner.id)
    member_membership = await membership_of(sessions, tenant_a, member.id)
    b_owner_membership = await membership_of(sessions, tenant_b, tenant_b.owner.id)
    assert owner_membership and member_membership and b_owner_membership
    base = f"/w/{tenant_a.slug}/settings/members"

    await web.login(tenant_a.owner.email)
    demote = await web.post(f"{base}/{owner_membership.id}/role", {"role": "admin"}, headers=htmx())
    assert demote.status_code == 409 and "last owner" in demote.text
    remove = await web.post(f"{base}/{owner_membership.id}/remove", headers=htmx())
    assert remove.status_code == 409 and "last owner and cannot be removed" in remove.text
    foreign = await web.post(f"{base}/{b_owner_membership.id}/remove", headers=htmx())  # B's membership id
    assert foreign.status_code == 409 and "not a member of this workspace" in foreign.text
    assert await membership_of(sessions, tenant_b, tenant_b.owner.id) is not None

    promoted = await web.post(f"{base}/{member_membership.id}/role", {"role": "admin"}, headers=htmx())
    assert promoted.status_code == 200 and "Mo Member is now admin" in promoted.text
    await logout(web)

    await web.login(admin.email)  # an admin cannot touch owners nor make owners
    assert (await web.post(f"{base}/{owner_membership.id}/remove", headers=htmx())).status_code == 409
    make_owner = await web.post(f"{base}/{member_membership.id}/role", {"role": "owner"}, headers=htmx())
    assert make_owner.status_code == 409 and "Only an owner" in make_owner.text
    removed = await web.post(f"{base}/{member_membership.id}/remove", headers=htmx())
    assert removed.status_code == 200 and member.email in removed.text
    assert await membership_of(sessions, tenant_a, member.id) is None
    await logout(web)

    await web.login(tenant_a.owner.email)  # with a second owner, the first may step down
    admin_membership = await membership_of(sessions, tenant_a, admin.id)
    assert admin_membership
    assert (await web.post(f"{base}/{admin_membership.id}/role", {"role": "owner"}, headers=htmx())).status_code == 200
    stepped_down = await web.post(f"{base}/{owner_membership.id}/role", {"role": "member"}, headers=htmx())
    assert stepped_down.status_code == 200
    assert (await web.get(base)).status_code == 403  # now a plain member

    actions = [a for a, _, _ in await audit_actions(sessions, tenant_a)]
    assert actions.count("member.role_changed") == 3 and "member.removed" in actions
    assert not [a for a, _, _ in await audit_actions(sessions, tenant_b) if a.startswith("member.")]
