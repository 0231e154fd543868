"""erp.accounting gapless numbers and profitability rollups

Posted documents get a gapless number per kind (existing ones numbered in id order, counters set to match), and the
monthly profitability rollups are built from the documents already posted.

Revision ID: 43ece25bc479
Revises: 19108ef03746
Create Date: 2026-11-28 21:52:11.875917
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "43ece25bc479"
down_revision: str | Sequence[str] | None = "19108ef03746"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The statements as they were when this revision was written: a revision never follows later model changes.
STATEMENTS: tuple[str, ...] = (
    """INSERT INTO erp_profit_by_product (month, product_id, label, revenue, cost, created_at, updated_at)
SELECT CAST(date_trunc('month', i.issue_date) AS date), coalesce(l.product_id,
0), min(l.description), sum(l.net_amount * CASE WHEN i.kind = 'customer_credit_note' THEN -1 ELSE 1 END),
sum(l.cost_amount * CASE WHEN i.kind = 'customer_credit_note' THEN -1 ELSE 1 END),
now(), now()
FROM erp_invoice_lines l JOIN erp_invoices i ON i.id = l.invoice_id
WHERE i.kind IN ('customer_invoice', 'customer_credit_note') AND i.status IN ('open', 'paid')
GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (month, product_id) DO UPDATE SET revenue = erp_profit_by_product.revenue + excluded.revenue,
cost = erp_profit_by_product.cost + excluded.cost, updated_at = excluded.updated_at,
    label = least(erp_profit_by_product.label, excluded.label)""",
    """INSERT INTO erp_profit_by_customer (month, partner_org_id, revenue, cost, created_at, updated_at)
SELECT CAST(date_trunc('month', i.issue_date) AS date), i.partner_org_id,
sum(l.net_amount * CASE WHEN i.kind = 'customer_credit_note' THEN -1 ELSE 1 END),
sum(l.cost_amount * CASE WHEN i.kind = 'customer_credit_note' THEN -1 ELSE 1 END),
now(), now()
FROM erp_invoice_lines l JOIN erp_invoices i ON i.id = l.invoice_id
WHERE i.kind IN ('customer_invoice', 'customer_credit_note') AND i.status IN ('open', 'paid')
GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (month, partner_org_id) DO UPDATE SET revenue = erp_profit_by_customer.revenue + excluded.revenue,
cost = erp_profit_by_customer.cost + excluded.cost, updated_at = excluded.updated_at""",
)


def upgrade() -> None:
    op.create_table(
        "erp_invoice_counters",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("last_number", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_invoice_counters")),
        sa.UniqueConstraint("kind"),
        info={"module": "erp.accounting"},
    )
    op.create_table(
        "erp_profit_by_product",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("revenue", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("cost", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_profit_by_product")),
        sa.UniqueConstraint("month", "product_id", name=op.f("uq_erp_profit_by_product_month")),
        info={"module": "erp.accounting"},
    )
    op.create_table(
        "erp_profit_by_customer",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("partner_org_id", sa.BigInteger(), nullable=False),
        sa.Column("revenue", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("cost", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_org_id"],
            ["organizations.id"],
            name=op.f("fk_erp_profit_by_customer_partner_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_profit_by_customer")),
        sa.UniqueConstraint("month", "partner_org_id", name=op.f("uq_erp_profit_by_customer_month")),
        info={"module": "erp.accounting"},
    )
    op.create_index(
        op.f("ix_erp_profit_by_customer_partner_org_id"), "erp_profit_by_customer", ["partner_org_id"], unique=False
    )
    op.add_column("erp_invoices", sa.Column("sequence_number", sa.BigInteger(), nullable=True))
    op.execute(
        """UPDATE erp_invoices i SET sequence_number = n.number
           FROM (SELECT id, row_number() OVER (PARTITION BY kind ORDER BY id) AS number
                 FROM erp_invoices WHERE status NOT IN ('draft', 'cancelled')) n
           WHERE i.id = n.id"""
    )
    op.execute(
        """INSERT INTO erp_invoice_counters (kind, last_number, created_at, updated_at)
           SELECT kind, max(sequence_number), now(), now() FROM erp_invoices
           WHERE sequence_number IS NOT NULL GROUP BY kind"""
    )
    op.create_unique_constraint("uq_erp_invoices_kind_sequence_number", "erp_invoices", ["kind", "sequence_number"])
    op.create_check_constraint(
        op.f("ck_erp_invoices_posted_numbered"),
        "erp_invoices",
        "sequence_number IS NOT NULL OR status IN ('draft', 'cancelled')",
    )
    for statement in STATEMENTS:
        op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    op.drop_constraint(op.f("ck_erp_invoices_posted_numbered"), "erp_invoices", type_="check")
    op.drop_constraint("uq_erp_invoices_kind_sequence_number", "erp_invoices", type_="unique")
    op.drop_column("erp_invoices", "sequence_number")
    op.drop_index(op.f("ix_erp_profit_by_customer_partner_org_id"), table_name="erp_profit_by_customer")
    op.drop_table("erp_profit_by_customer")
    op.drop_table("erp_profit_by_product")
    op.drop_table("erp_invoice_counters")
