"""Accounting tables (tenant schema).

Every journal entry balances: a deferred constraint trigger checks, at commit, that the debits of each touched entry
equal its credits (and that it has lines), and ``JournalService`` is the only writer of entries and lines.

Posted documents are numbered without gaps per kind (``InvoiceCounter``, one row per kind, bumped in the posting
transaction), and posting keeps the profitability rollups (``ProfitByProduct``, ``ProfitByCustomer``: revenue and
cost of goods sold per month) in step; ``InvoiceService`` is their only writer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.platform.db.base import TenantBase
from nexo.platform.db.ddl import after_create, after_create_each_time
from nexo.platform.i18n.catalog import N_, gettext, use_language, workspace_language

KEY = "erp.accounting"
ACCOUNT_TYPES = ("asset", "liability", "equity", "income", "expense")
INVOICE_KINDS = ("customer_invoice", "customer_credit_note", "supplier_bill", "supplier_credit_note")
INVOICE_STATUSES = ("draft", "open", "paid", "cancelled")


class Account(TenantBase):
    __tablename__ = "erp_accounts"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint(f"type IN {ACCOUNT_TYPES!r}", name="known_type"),)

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    # The account the services post to for a purpose ("receivable", "revenue", ...): one per role.
    role: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class JournalEntry(TenantBase):
    __tablename__ = "erp_journal_entries"
    __module_key__ = KEY

    entry_date: Mapped[datetime.date] = mapped_column(Date, index=True)
    memo: Mapped[str] = mapped_column(String(300), default="", server_default="")
    currency: Mapped[str] = mapped_column(String(3))
    source_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    source_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    lines: Mapped[list[JournalLine]] = relationship(lazy="selectin", order_by="JournalLine.id", viewonly=True)


class JournalLine(TenantBase):
    __tablename__ = "erp_journal_lines"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0)", name="one_side"),)

    entry_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("erp_journal_entries.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_accounts.id"), index=True)
    debit: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    credit: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    partner_org_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    label: Mapped[str] = mapped_column(String(300), default="", server_default="")


class Invoice(TenantBase):
    """A customer invoice or credit note, or a supplier bill or credit note."""

    __tablename__ = "erp_invoices"
    __module_key__ = KEY
    __table_args__ = (
        CheckConstraint(f"kind IN {INVOICE_KINDS!r}", name="known_kind"),
        CheckConstraint(f"status IN {INVOICE_STATUSES!r}", name="known_status"),
        CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name="paid_within_total"),
        CheckConstraint("sequence_number IS NOT NULL OR status IN ('draft', 'cancelled')", name="posted_numbered"),
        UniqueConstraint("kind", "sequence_number", name="uq_erp_invoices_kind_sequence_number"),
    )

    kind: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    partner_org_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("organizations.id"), index=True)
    issue_date: Mapped[datetime.date] = mapped_column(Date, index=True)
    due_date: Mapped[datetime.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    tax_total: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    total: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    reference: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Soft links (no foreign key: sales and purchasing are optional next to accounting).
    sales_order_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    purchase_order_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    credited_invoice_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("erp_invoices.id"), nullable=True)
    journal_entry_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("erp_journal_entries.id"), nullable=True
    )
    # Gapless per kind, given when the document is posted (``InvoiceCounter``); drafts have none.
    sequence_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    lines: Mapped[list[InvoiceLine]] = relationship(lazy="selectin", order_by="InvoiceLine.id", viewonly=True)

    PREFIXES = {
        "customer_invoice": "INV",
        "customer_credit_note": "CN",
        "supplier_bill": "BILL",
        "supplier_credit_note": "SCN",
    }

    @property
    def number(self) -> str:
        if self.sequence_number is None:
            return f"{self.PREFIXES[self.kind]}-DRAFT-{self.id}"
        return f"{self.PREFIXES[self.kind]}-{self.sequence_number:06d}"

    @property
    def is_customer(self) -> bool:
        return self.kind.startswith("customer")

    @property
    def is_credit_note(self) -> bool:
        return self.kind.endswith("credit_note")

    @property
    def balance_due(self) -> Decimal:
        return self.total - self.amount_paid


class InvoiceLine(TenantBase):
    __tablename__ = "erp_invoice_lines"
    __module_key__ = KEY

    invoice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_invoices.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)  # soft: erp.inventory
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(0), server_default="0")
    net_amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    tax_amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    # Cost of the goods sold on this line (customer documents): what profitability subtracts from revenue.
    cost_amount: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    order_line_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # soft: sales / purchase line


class Payment(TenantBase):
    """Money received for a customer document or paid for a supplier document (partial payments allowed)."""

    __tablename__ = "erp_payments"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    invoice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_invoices.id"), index=True)
    paid_on: Mapped[datetime.date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_accounts.id"))
    journal_entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_journal_entries.id"))
    reference: Mapped[str] = mapped_column(String(200), default="", server_default="")


class InvoiceCounter(TenantBase):
    """The last number given to a posted document of ``kind``: updated in the posting transaction, so a rolled-back
    posting gives its number back and numbers have no gaps (the row lock orders concurrent postings)."""

    __tablename__ = "erp_invoice_counters"
    __module_key__ = KEY

    kind: Mapped[str] = mapped_column(String(30), unique=True)
    last_number: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ProfitByProduct(TenantBase):
    """Posted customer documents summed per month and product (``product_id`` 0: lines without a product)."""

    __tablename__ = "erp_profit_by_product"
    __module_key__ = KEY
    __table_args__ = (UniqueConstraint("month", "product_id"),)

    month: Mapped[datetime.date] = mapped_column(Date)  # first day of the month
    product_id: Mapped[int] = mapped_column(BigInteger)  # soft: erp.inventory
    label: Mapped[str] = mapped_column(String(300))  # the smallest line description, as the report shows it
    revenue: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    cost: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")


class ProfitByCustomer(TenantBase):
    """Posted customer documents summed per month and customer."""

    __tablename__ = "erp_profit_by_customer"
    __module_key__ = KEY
    __table_args__ = (UniqueConstraint("month", "partner_org_id"),)

    month: Mapped[datetime.date] = mapped_column(Date)  # first day of the month
    partner_org_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("organizations.id"), index=True)
    revenue: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    cost: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")


# The default chart of accounts, created with the table: (code, name, type, role).
DEFAULT_CHART: tuple[tuple[str, str, str, str | None], ...] = (
    ("1000", N_("Cash"), "asset", "cash"),
    ("1010", N_("Bank"), "asset", "bank"),
    ("1200", N_("Accounts receivable"), "asset", "receivable"),
    ("1300", N_("Inventory"), "asset", "inventory"),
    ("1400", N_("VAT deductible"), "asset", "vat_deductible"),
    ("2000", N_("Accounts payable"), "liability", "payable"),
    ("2100", N_("Goods received not invoiced"), "liability", "grni"),
    ("2200", N_("VAT collected"), "liability", "vat_collected"),
    ("3000", N_("Owner's equity"), "equity", "equity"),
    ("3900", N_("Retained earnings"), "equity", "retained_earnings"),
    ("4000", N_("Sales revenue"), "income", "revenue"),
    ("4900", N_("Other income"), "income", None),
    ("5000", N_("Cost of goods sold"), "expense", "cogs"),
    ("5100", N_("Stock adjustments"), "expense", "stock_adjustment"),
    ("6000", N_("Salaries"), "expense", None),
    ("6100", N_("Rent"), "expense", None),
    ("6200", N_("Office expenses"), "expense", "expense"),
)


def _sql_literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def default_chart_statements() -> list[str]:
    with use_language(workspace_language()):
        names = [gettext(name) for _code, name, _kind, _role in DEFAULT_CHART]
    values = ", ".join(
        f"({_sql_literal(code)}, {_sql_literal(name)}, {_sql_literal(kind)}, {_sql_literal(role)}, true, now(), now())"
        for (code, _name, kind, role), name in zip(DEFAULT_CHART, names, strict=True)
    )
    return [f"INSERT INTO erp_accounts (code, name, type, role, active, created_at, updated_at) VALUES {values}"]  # noqa: S608 (the default chart is a constant of this module, quoted by _sql_literal)


def balance_trigger_statements() -> list[str]:
    """A deferred constraint trigger: at commit, every touched entry must have lines whose debits equal credits.

    The function learns which table fired it from the trigger's argument (``'entry'``), never from
    ``TG_TABLE_NAME``: on Citus it fires on the worker's *shard* table (``erp_journal_entries_<shardid>``). Citus
    allows triggers on distributed tables only while ``citus.enable_unsafe_triggers`` is on; it is set here for the
    creating transaction only (a placeholder setting without effect on plain PostgreSQL). It is safe for this
    trigger: a tenant schema is one co-located shard group on one node, so the check reads only its own schema."""
    return [
        "SELECT set_config('citus.enable_unsafe_triggers', 'on', true)",
        """
CREATE FUNCTION erp_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint;
    difference numeric;
    line_count bigint;
BEGIN
    IF TG_NARGS > 0 AND TG_ARGV[0] = 'entry' THEN
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
    FOR EACH ROW EXECUTE FUNCTION erp_check_entry_balanced('entry')""",
    ]


def profit_rollup_statements(*, only_listed_invoices: bool = False) -> list[str]:
    """Add posted customer documents to the profitability rollups, grouped as the report groups them.

    Either every posted one (building the rollups: migrations, bulk loads) or those whose ids are in the ``:ids``
    array parameter (posting). Rows are upserted in key order, so concurrent postings lock them in one order.

    The grouped rows come from a CTE: Citus cannot push an ``INSERT … SELECT`` into a table whose key comes from a
    sequence down to the worker, and plans the inline join for repartitioning instead (refused); the CTE is
    router-planned on the tenant's worker and its rows inserted there. On plain PostgreSQL the CTE is inlined."""
    which = "i.id = ANY(:ids)" if only_listed_invoices else "i.status IN ('open', 'paid')"
    source = f"""
FROM erp_invoice_lines l JOIN erp_invoices i ON i.id = l.invoice_id
WHERE i.kind IN ('customer_invoice', 'customer_credit_note') AND {which}"""
    sign = "CASE WHEN i.kind = 'customer_credit_note' THEN -1 ELSE 1 END"
    month = "CAST(date_trunc('month', i.issue_date) AS date)"
    sums = f"sum(l.net_amount * {sign}) AS revenue, sum(l.cost_amount * {sign}) AS cost, now() AS at, now() AS at2"
    add = "revenue = {t}.revenue + excluded.revenue, cost = {t}.cost + excluded.cost, updated_at = excluded.updated_at"
    return [
        f"""WITH posted AS (SELECT {month} AS month, coalesce(l.product_id, 0) AS product_id,
    min(l.description) AS label, {sums} {source}
GROUP BY 1, 2)
INSERT INTO erp_profit_by_product (month, product_id, label, revenue, cost, created_at, updated_at)
SELECT * FROM posted ORDER BY 1, 2
ON CONFLICT (month, product_id) DO UPDATE SET {add.format(t="erp_profit_by_product")},
    label = least(erp_profit_by_product.label, excluded.label)""",  # noqa: S608 (only this module's fixed fragments are interpolated)
        f"""WITH posted AS (SELECT {month} AS month, i.partner_org_id, {sums} {source}
GROUP BY 1, 2)
INSERT INTO erp_profit_by_customer (month, partner_org_id, revenue, cost, created_at, updated_at)
SELECT * FROM posted ORDER BY 1, 2
ON CONFLICT (month, partner_org_id) DO UPDATE SET {add.format(t="erp_profit_by_customer")}""",  # noqa: S608 (as above)
    ]


after_create_each_time(Account.__table__, default_chart_statements)  # type: ignore[arg-type]
after_create(JournalLine.__table__, balance_trigger_statements)  # type: ignore[arg-type]
