"""The Django admin for support staff (S8). Django's admin autodiscovery imports this
package; the registrations are in model_admins, the audited read-only mixins that the
other apps' admins use in audit."""

from contacts_app.admin import (
    model_admins,  # noqa: F401 — registers the ModelAdmins
    support,  # noqa: F401 — the user admin support cannot escalate through
)
