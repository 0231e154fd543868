"""erp.hr manifest."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.i18n.catalog import N_
from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="erp.hr",
    name=N_("People & leave"),
    description=N_(
        "Departments, employees from the directory, leave types, leave requests with approval and balances."
    ),
    models="nexo.modules.erp.hr.models",
    migrations=Path(__file__).parent / "migrations",
    scopes=(
        Scope("erp.hr.read", N_("See departments, employees and leave requests")),
        Scope("erp.hr.write", N_("Manage employees and departments, request and decide leave")),
    ),
    navigation=(NavEntry(N_("Employees"), "erp/hr/employees"), NavEntry(N_("Leave"), "erp/hr/leave")),
    monthly_price=Decimal("10"),
    controllers=("nexo.modules.erp.hr.pages:HrPages",),
    api_controllers=(
        "nexo.modules.erp.hr.api:DepartmentsApi",
        "nexo.modules.erp.hr.api:EmployeesApi",
        "nexo.modules.erp.hr.api:LeaveApi",
    ),
)
