"""oauth, installations, tokens, webhooks, idempotency

Revision ID: 683a9db983bb
Revises: 1d64f393fa87
Create Date: 2026-11-28 19:20:40.620571
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "683a9db983bb"
down_revision: str | Sequence[str] | None = "1d64f393fa87"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.JSON(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_keys")),
        sa.UniqueConstraint("installation_id", "key", name=op.f("uq_api_idempotency_keys_installation_id")),
        schema="public",
    )
    op.create_table(
        "oauth_clients",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("homepage", sa.String(length=300), nullable=True),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("partner", "private", name="oauth_client_kind", schema="public", inherit_schema=True),
            nullable=False,
        ),
        sa.Column("owner_user_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=True),
        sa.Column("secret_rotated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("disabled_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["public.users.id"],
            name=op.f("fk_oauth_clients_owner_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["public.tenants.id"], name=op.f("fk_oauth_clients_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_clients")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_oauth_clients_client_id"), "oauth_clients", ["client_id"], unique=True, schema="public"
    )
    op.create_index(
        op.f("ix_public_oauth_clients_owner_user_id"), "oauth_clients", ["owner_user_id"], unique=False, schema="public"
    )
    op.create_index(
        op.f("ix_public_oauth_clients_tenant_id"), "oauth_clients", ["tenant_id"], unique=False, schema="public"
    )
    op.create_table(
        "oauth_installations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("client_pk", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("granted_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("last_used_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["public.oauth_clients.id"],
            name=op.f("fk_oauth_installations_client_pk_oauth_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_user_id"],
            ["public.users.id"],
            name=op.f("fk_oauth_installations_granted_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["public.tenants.id"],
            name=op.f("fk_oauth_installations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_installations")),
        sa.UniqueConstraint("client_pk", "tenant_id", name=op.f("uq_oauth_installations_client_pk")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_oauth_installations_tenant_id"),
        "oauth_installations",
        ["tenant_id"],
        unique=False,
        schema="public",
    )
    op.create_table(
        "oauth_authorization_codes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_pk", sa.BigInteger(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=False),
        sa.Column("expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("used_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["public.oauth_clients.id"],
            name=op.f("fk_oauth_authorization_codes_client_pk_oauth_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["public.oauth_installations.id"],
            name=op.f("fk_oauth_authorization_codes_installation_id_oauth_installations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["public.users.id"],
            name=op.f("fk_oauth_authorization_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_authorization_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oauth_authorization_codes_code_hash")),
        schema="public",
    )
    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("access_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=True),
        sa.Column("client_pk", sa.BigInteger(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("authorization_code_id", sa.BigInteger(), nullable=True),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("access_expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("refresh_expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("refresh_used_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("revoked_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["public.oauth_clients.id"],
            name=op.f("fk_oauth_tokens_client_pk_oauth_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["public.oauth_installations.id"],
            name=op.f("fk_oauth_tokens_installation_id_oauth_installations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["public.users.id"], name=op.f("fk_oauth_tokens_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_tokens")),
        sa.UniqueConstraint("access_hash", name=op.f("uq_oauth_tokens_access_hash")),
        sa.UniqueConstraint("refresh_hash", name=op.f("uq_oauth_tokens_refresh_hash")),
        schema="public",
    )
    op.create_index("ix_oauth_tokens_family", "oauth_tokens", ["family"], unique=False, schema="public")
    op.create_index("ix_oauth_tokens_installation", "oauth_tokens", ["installation_id"], unique=False, schema="public")
    op.create_index(
        op.f("ix_public_oauth_tokens_authorization_code_id"),
        "oauth_tokens",
        ["authorization_code_id"],
        unique=False,
        schema="public",
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["public.oauth_installations.id"],
            name=op.f("fk_webhook_subscriptions_installation_id_oauth_installations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["public.tenants.id"],
            name=op.f("fk_webhook_subscriptions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_webhook_subscriptions_installation_id"),
        "webhook_subscriptions",
        ["installation_id"],
        unique=False,
        schema="public",
    )
    op.create_index(
        op.f("ix_public_webhook_subscriptions_tenant_id"),
        "webhook_subscriptions",
        ["tenant_id"],
        unique=False,
        schema="public",
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "succeeded",
                "retrying",
                "failed",
                name="webhook_delivery_status",
                schema="public",
                inherit_schema=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("delivered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["public.webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_webhook_deliveries_installation_id"),
        "webhook_deliveries",
        ["installation_id"],
        unique=False,
        schema="public",
    )
    op.create_index(
        op.f("ix_public_webhook_deliveries_tenant_id"),
        "webhook_deliveries",
        ["tenant_id"],
        unique=False,
        schema="public",
    )
    op.create_index(
        "ix_webhook_deliveries_subscription",
        "webhook_deliveries",
        ["subscription_id", "id"],
        unique=False,
        schema="public",
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_subscription", table_name="webhook_deliveries", schema="public")
    op.drop_index(op.f("ix_public_webhook_deliveries_tenant_id"), table_name="webhook_deliveries", schema="public")
    op.drop_index(
        op.f("ix_public_webhook_deliveries_installation_id"), table_name="webhook_deliveries", schema="public"
    )
    op.drop_table("webhook_deliveries", schema="public")
    op.drop_index(
        op.f("ix_public_webhook_subscriptions_tenant_id"), table_name="webhook_subscriptions", schema="public"
    )
    op.drop_index(
        op.f("ix_public_webhook_subscriptions_installation_id"), table_name="webhook_subscriptions", schema="public"
    )
    op.drop_table("webhook_subscriptions", schema="public")
    op.drop_index(op.f("ix_public_oauth_tokens_authorization_code_id"), table_name="oauth_tokens", schema="public")
    op.drop_index("ix_oauth_tokens_installation", table_name="oauth_tokens", schema="public")
    op.drop_index("ix_oauth_tokens_family", table_name="oauth_tokens", schema="public")
    op.drop_table("oauth_tokens", schema="public")
    op.drop_table("oauth_authorization_codes", schema="public")
    op.drop_index(op.f("ix_public_oauth_installations_tenant_id"), table_name="oauth_installations", schema="public")
    op.drop_table("oauth_installations", schema="public")
    op.drop_index(op.f("ix_public_oauth_clients_tenant_id"), table_name="oauth_clients", schema="public")
    op.drop_index(op.f("ix_public_oauth_clients_owner_user_id"), table_name="oauth_clients", schema="public")
    op.drop_index(op.f("ix_public_oauth_clients_client_id"), table_name="oauth_clients", schema="public")
    op.drop_table("oauth_clients", schema="public")
    op.drop_table("api_idempotency_keys", schema="public")
