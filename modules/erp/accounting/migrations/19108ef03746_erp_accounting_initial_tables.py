"""erp.accounting initial tables

Revision ID: 19108ef03746
Revises:
Create Date: 2026-11-28 19:28:26.668637
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "19108ef03746"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("erp_accounting",)
depends_on: str | Sequence[str] | None = None  # order across branches comes from the module registry

# The statements as they were when this revision was written: a revision never follows later model changes.
STATEMENTS: tuple[str, ...] = (
    """INSERT INTO erp_accounts (code, name, type, role, active, created_at,
updated_at) VALUES ('1000', 'Cash', 'asset', 'cash', true, now(),
now()), ('1010', 'Bank', 'asset', 'bank', true, now(), now()),
('1200', 'Accounts receivable', 'asset', 'receivable', true,
now(), now()), ('1300', 'Inventory', 'asset', 'inventory', true,
now(), now()), ('1400', 'VAT deductible', 'asset', 'vat_deductible',
true, now(), now()), ('2000', 'Accounts payable', 'liability',
'payable', true, now(), now()), ('2100', 'Goods received not invoiced',
'liability', 'grni', true, now(), now()), ('2200', 'VAT collected',
'liability', 'vat_collected', true, now(), now()), ('3000', 'Owner''s equity',
'equity', 'equity', true, now(), now()), ('3900', 'Retained earnings',
'equity', 'retained_earnings', true, now(), now()), ('4000',
'Sales revenue', 'income', 'revenue', true, now(), now()), ('4900',
'Other income', 'income', NULL, true, now(), now()), ('5000',
'Cost of goods sold', 'expense', 'cogs', true, now(), now()),
('5100', 'Stock adjustments', 'expense', 'stock_adjustment',
true, now(), now()), ('6000', 'Salaries', 'expense', NULL, true,
now(), now()), ('6100', 'Rent', 'expense', NULL, true, now(),
now()), ('6200', 'Office expenses', 'expense', 'expense', true,
now(), now())""",
    """
CREATE FUNCTION erp_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint;
    difference numeric;
    line_count bigint;
BEGIN
    IF TG_TABLE_NAME = 'erp_journal_entries' THEN
        touched := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        touched := OLD.entry_id;
    ELSE
        touched := NEW.entry_id;
    END IF;
    EXECUTE format('SELECT coalesce(sum(debit - credit), 0), count(*) FROM %I.erp_journal_lines WHERE entry_id = $1',
                   TG_TABLE_SCHEMA)
        INTO difference, line_count USING touched;
    IF difference <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance (debits - credits = %)', touched, difference
            USING ERRCODE = 'check_violation';
    END IF;
    IF line_count = 0 THEN
        EXECUTE format('SELECT count(*) FROM %I.erp_journal_entries WHERE id = $1', TG_TABLE_SCHEMA)
            INTO line_count USING touched;
        IF line_count > 0 THEN
            RAISE EXCEPTION 'journal entry % has no lines', touched USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$""",
    """
CREATE CONSTRAINT TRIGGER erp_journal_lines_balanced
    AFTER INSERT OR UPDATE OR DELETE ON erp_journal_lines
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION erp_check_entry_balanced()""",
    """
CREATE CONSTRAINT TRIGGER erp_journal_entries_have_lines
    AFTER INSERT ON erp_journal_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION erp_check_entry_balanced()""",
)


def upgrade() -> None:
    op.create_table(
        "erp_accounts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "type IN ('asset', 'liability', 'equity', 'income', 'expense')", name=op.f("ck_erp_accounts_known_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_accounts")),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("role"),
        info={"module": "erp.accounting"},
    )
    op.create_table(
        "erp_journal_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("memo", sa.String(length=300), server_default="", nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source_type", sa.String(length=30), nullable=True),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_journal_entries")),
        info={"module": "erp.accounting"},
    )
    op.create_index(op.f("ix_erp_journal_entries_entry_date"), "erp_journal_entries", ["entry_date"], unique=False)
    op.create_table(
        "erp_invoices",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("partner_org_id", sa.BigInteger(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("amount_paid", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("reference", sa.String(length=200), server_default="", nullable=False),
        sa.Column("sales_order_id", sa.BigInteger(), nullable=True),
        sa.Column("purchase_order_id", sa.BigInteger(), nullable=True),
        sa.Column("credited_invoice_id", sa.BigInteger(), nullable=True),
        sa.Column("journal_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('customer_invoice', 'customer_credit_note', 'supplier_bill', 'supplier_credit_note')",
            name=op.f("ck_erp_invoices_known_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'paid', 'cancelled')", name=op.f("ck_erp_invoices_known_status")
        ),
        sa.CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name=op.f("ck_erp_invoices_paid_within_total")),
        sa.ForeignKeyConstraint(
            ["credited_invoice_id"], ["erp_invoices.id"], name=op.f("fk_erp_invoices_credited_invoice_id_erp_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["erp_journal_entries.id"],
            name=op.f("fk_erp_invoices_journal_entry_id_erp_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_org_id"], ["organizations.id"], name=op.f("fk_erp_invoices_partner_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_invoices")),
        info={"module": "erp.accounting"},
    )
    op.create_index(op.f("ix_erp_invoices_issue_date"), "erp_invoices", ["issue_date"], unique=False)
    op.create_index(op.f("ix_erp_invoices_kind"), "erp_invoices", ["kind"], unique=False)
    op.create_index(op.f("ix_erp_invoices_partner_org_id"), "erp_invoices", ["partner_org_id"], unique=False)
    op.create_index(op.f("ix_erp_invoices_purchase_order_id"), "erp_invoices", ["purchase_order_id"], unique=False)
    op.create_index(op.f("ix_erp_invoices_sales_order_id"), "erp_invoices", ["sales_order_id"], unique=False)
    op.create_table(
        "erp_journal_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("debit", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("credit", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("partner_org_id", sa.BigInteger(), nullable=True),
        sa.Column("label", sa.String(length=300), server_default="", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0)", name=op.f("ck_erp_journal_lines_one_side")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["erp_accounts.id"], name=op.f("fk_erp_journal_lines_account_id_erp_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["erp_journal_entries.id"],
            name=op.f("fk_erp_journal_lines_entry_id_erp_journal_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_org_id"],
            ["organizations.id"],
            name=op.f("fk_erp_journal_lines_partner_org_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_journal_lines")),
        info={"module": "erp.accounting"},
    )
    op.create_index(op.f("ix_erp_journal_lines_account_id"), "erp_journal_lines", ["account_id"], unique=False)
    op.create_index(op.f("ix_erp_journal_lines_entry_id"), "erp_journal_lines", ["entry_id"], unique=False)
    op.create_index(op.f("ix_erp_journal_lines_partner_org_id"), "erp_journal_lines", ["partner_org_id"], unique=False)
    op.create_table(
        "erp_invoice_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), server_default="0", nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("cost_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("order_line_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["erp_invoices.id"],
            name=op.f("fk_erp_invoice_lines_invoice_id_erp_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_invoice_lines")),
        info={"module": "erp.accounting"},
    )
    op.create_index(op.f("ix_erp_invoice_lines_invoice_id"), "erp_invoice_lines", ["invoice_id"], unique=False)
    op.create_index(op.f("ix_erp_invoice_lines_product_id"), "erp_invoice_lines", ["product_id"], unique=False)
    op.create_table(
        "erp_payments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("journal_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_erp_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["erp_accounts.id"], name=op.f("fk_erp_payments_account_id_erp_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["erp_invoices.id"], name=op.f("fk_erp_payments_invoice_id_erp_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["erp_journal_entries.id"],
            name=op.f("fk_erp_payments_journal_entry_id_erp_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_payments")),
        info={"module": "erp.accounting"},
    )
    op.create_index(op.f("ix_erp_payments_invoice_id"), "erp_payments", ["invoice_id"], unique=False)
    op.create_index(op.f("ix_erp_payments_paid_on"), "erp_payments", ["paid_on"], unique=False)

    for statement in STATEMENTS:
        op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS erp_journal_entries_have_lines ON erp_journal_entries")
    op.execute("DROP TRIGGER IF EXISTS erp_journal_lines_balanced ON erp_journal_lines")
    op.drop_index(op.f("ix_erp_payments_paid_on"), table_name="erp_payments")
    op.drop_index(op.f("ix_erp_payments_invoice_id"), table_name="erp_payments")
    op.drop_table("erp_payments")
    op.drop_index(op.f("ix_erp_invoice_lines_product_id"), table_name="erp_invoice_lines")
    op.drop_index(op.f("ix_erp_invoice_lines_invoice_id"), table_name="erp_invoice_lines")
    op.drop_table("erp_invoice_lines")
    op.drop_index(op.f("ix_erp_journal_lines_partner_org_id"), table_name="erp_journal_lines")
    op.drop_index(op.f("ix_erp_journal_lines_entry_id"), table_name="erp_journal_lines")
    op.drop_index(op.f("ix_erp_journal_lines_account_id"), table_name="erp_journal_lines")
    op.drop_table("erp_journal_lines")
    op.drop_index(op.f("ix_erp_invoices_sales_order_id"), table_name="erp_invoices")
    op.drop_index(op.f("ix_erp_invoices_purchase_order_id"), table_name="erp_invoices")
    op.drop_index(op.f("ix_erp_invoices_partner_org_id"), table_name="erp_invoices")
    op.drop_index(op.f("ix_erp_invoices_kind"), table_name="erp_invoices")
    op.drop_index(op.f("ix_erp_invoices_issue_date"), table_name="erp_invoices")
    op.drop_table("erp_invoices")
    op.drop_index(op.f("ix_erp_journal_entries_entry_date"), table_name="erp_journal_entries")
    op.drop_table("erp_journal_entries")
    op.drop_table("erp_accounts")
    op.execute("DROP FUNCTION IF EXISTS erp_check_entry_balanced()")
