"""Least privilege by role: what each staff role may do in the admin and back office.

Kept in code (reviewed like code) rather than as editable groups, so a municipality cannot grant
itself more than its role allows. Superusers (the deployment's operators) have everything.
"""

from __future__ import annotations

from typing import Any

from .models import Role


def _crud(app_label: str, model: str, *actions: str) -> set[str]:
    return {
        f"{app_label}.{action}_{model}" for action in actions or ("view", "add", "change", "delete")
    }


# The back office (applications/staff_views.py): processing applications, the audit record, the
# hand-off settings. Which procedures a back-office user sees is narrowed further by department
# (accounts/departments.py).
_PROCESS = _crud("applications", "application", "view", "change")
# Recording a fee paid at the counter (収納): the municipality's administrator and managers, not
# every clerk who processes applications (who takes money and who decides stay apart).
RECORD_PAYMENT = "applications.record_payment"
_AUDIT = _crud("core", "auditevent", "view")
_BACK_OFFICE_SETTINGS = (
    _crud("applications", "apitoken", "view", "add", "change")
    | _crud("applications", "retentionpolicy")
    | _crud("accounts", "staffdepartment")
)
# External bundle intake (intake/): import bundles, review quarantine; the linkage table
# (certificate serial → 宛名番号) only for managers and administrators.
_INTAKE = (
    _crud("intake", "importrun", "view", "add")
    | _crud("intake", "quarantineitem", "view", "change")
    | _crud("intake", "importedapplication", "view")
)
_LINKAGE = _crud("intake", "linkageimport", "view", "add") | _crud("intake", "residentlink", "view")

# FAQ (faq/): editors keep the content; the query analytics and shared-set adoption are for
# managers and administrators.
_FAQ_EDIT = _crud("faq", "faqentry")
_FAQ_MANAGE = _crud("faq", "faqquerylog", "view") | _crud("faq", "faqsetadoption")

# Reservations (reservations/): the counter console (call, start, finish tickets) and the day's
# bookings with visitors' names; the hall's configuration (services, windows, policy), closed
# days and the kiosk key only for the municipality administrator.
CONSOLE = "reservations.use_console"
ROTATE_KIOSK_KEY = "reservations.rotate_kiosk_key"
# The staff pages that edit windows, opening hours and closed days (reservations/views/settings.py).
CONFIGURE_HALL = "reservations.configure_hall"
_CONSOLE = {CONSOLE} | _crud("reservations", "ticket", "view", "change")
_BOOKINGS = _crud("reservations", "booking", "view")
_HALL = (
    _crud("reservations", "service")
    | _crud("reservations", "window")
    | _crud("reservations", "reservationpolicy", "view", "change")
    | _crud("reservations", "calendarexception")
    | _crud("reservations", "visitevent", "view")
    | {ROTATE_KIOSK_KEY, CONFIGURE_HALL}
)

# Printed official forms (counter/print/): printing an application for the resident's signature
# (counter staff: the applications taken at the counter; back office: those they process), and
# each procedure's print layout (the municipality's own form PDF and where answers go on it).
PRINT_APPLICATION = "counter.print_application"
_PRINT_LAYOUTS = _crud("counter", "printlayout")
# Counter (counter/): take in a resident's pre-input (scan its QR codes) and see its answers.
PREINPUT_SCAN = "counter.scan_preinput"
# Counter mode: fill, complete and confirm a resident's form at the counter (counter/).
COUNTER_SERVE = "counter.serve_at_counter"
_COUNTER = {PREINPUT_SCAN, COUNTER_SERVE}
_COUNTER_STATIONS = _crud("counter", "counterstation", "view", "add", "change")
# Which pre-input mode (token or payload) the municipality uses: its administrator.
_COUNTER_SETTINGS = _crud("counter", "preinputsetting", "view", "add", "change")
# Insights (insights/): the municipality's dashboards and open-data export for managers and
# administrators (aggregates, no personal data); a prefecture's users see the region figures.
VIEW_DASHBOARD = "insights.view_dashboard"
VIEW_REGION = "insights.view_region"
_INSIGHTS = {VIEW_DASHBOARD} | _crud("insights", "insightstarget", "view", "add", "change")

# Staff accounts: which roles must use the second factor in their municipality.
SECOND_FACTOR_POLICY = "accounts.change_secondfactorrequirement"
_SECURITY = {SECOND_FACTOR_POLICY, "accounts.view_secondfactorrequirement"}

# The prefecture console (region/): the joint-procurement catalogue and cost-sharing agreements
# of the prefecture's municipalities. Viewers read; the DX team keeps them. A municipality's
# managers read their own municipality's yearly statements (負担金の明細).
REGION_VIEW = "region.view_region"
REGION_MANAGE = "region.manage_region"
REGION_STATEMENT = "region.view_statement"
# The survey and the talent pool are joint work: a municipality's managers answer the DX survey
# and post needs for specialists; the prefecture's users read both (its DX team keeps them).
REGION_TAKE_PART = "region.take_part"

# Shared procedures (catalogue/sharing/): a municipality's administrator adopts them, overrides
# fees, department, contact and extra fields, and takes updates; its managers see them. A
# prefecture's DX team publishes the prefecture's procedures; its viewers read them.
_SHARED_ADOPT = _crud("catalogue", "procedureadoption", "view", "add", "change")
_SHARED_SEE = _crud("catalogue", "procedureadoption", "view")
SHARED_VIEW = "catalogue.view_sharedprocedure"
SHARED_PUBLISH = "catalogue.add_sharedprocedureversion"

# The form builder (catalogue/): build and edit procedures' forms, and approve another
# editor's draft for publication (never one's own: catalogue/services.py). The municipality
# administrator and the procedure editor (手続編集者) hold both.
EDIT_FORMS = "catalogue.edit_form"
APPROVE_FORMS = "catalogue.approve_form"
_FORM_BUILDER = {EDIT_FORMS, APPROVE_FORMS}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MUNICIPALITY_ADMIN: frozenset(
        _crud("procedures", "procedure")
        | _crud("procedures", "formversion", "view", "add")
        | _crud("tenancy", "municipality", "view", "change")
        | _crud("tenancy", "openinghours")
        | _crud("tenancy", "trustpage")
        | _crud("accounts", "staffuser")
        | _FAQ_EDIT
        | _FAQ_MANAGE
        | _PROCESS
        | {RECORD_PAYMENT}
        | _AUDIT
        | _BACK_OFFICE_SETTINGS
        | _INTAKE
        | _LINKAGE
        | _CONSOLE
        | _BOOKINGS
        | _HALL
        | _SECURITY
        | {PRINT_APPLICATION}
        | _PRINT_LAYOUTS
        | {REGION_STATEMENT, REGION_TAKE_PART}
        | _COUNTER
        | _COUNTER_SETTINGS
        | _COUNTER_STATIONS
        | _INSIGHTS
        | _SHARED_ADOPT
        | _FORM_BUILDER
    ),
    Role.PROCEDURE_EDITOR: frozenset(_crud("procedures", "procedure", "view") | _FORM_BUILDER),
    Role.MANAGER: frozenset(
        _crud("procedures", "procedure", "view", "change")
        | _crud("procedures", "formversion", "view", "add")
        | _crud("tenancy", "municipality", "view")
        | _FAQ_EDIT
        | _FAQ_MANAGE
        | _PROCESS
        | {RECORD_PAYMENT}
        | _AUDIT
        | _INTAKE
        | _LINKAGE
        | _CONSOLE
        | _BOOKINGS
        | _SECURITY
        | {PRINT_APPLICATION}
        | _PRINT_LAYOUTS
        | {REGION_STATEMENT, REGION_TAKE_PART}
        | _COUNTER
        | _INSIGHTS
        | _SHARED_SEE
    ),
    Role.BACK_OFFICE: frozenset(
        _crud("procedures", "procedure", "view")
        | _PROCESS
        | _INTAKE
        | _crud("faq", "faqentry", "view", "add", "change")
        | {PRINT_APPLICATION}
    ),
    Role.COUNTER: frozenset(
        _crud("procedures", "procedure", "view")
        | _crud("faq", "faqentry", "view")
        | _CONSOLE
        | _BOOKINGS
        | {PRINT_APPLICATION}
        | _COUNTER
    ),
    Role.PREFECTURE_VIEWER: frozenset(
        {REGION_VIEW, REGION_STATEMENT, REGION_TAKE_PART, VIEW_REGION, SHARED_VIEW}
    ),
    Role.PREFECTURE_DX: frozenset(
        {
            REGION_VIEW,
            REGION_MANAGE,
            REGION_STATEMENT,
            REGION_TAKE_PART,
            VIEW_REGION,
            SHARED_VIEW,
            SHARED_PUBLISH,
        }
    ),
}


class RolePermissionBackend:
    """An authentication backend that only answers permission questions, from the role."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not getattr(user_obj, "is_active", False) or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset()))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
