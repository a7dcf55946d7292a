"""G1/G3 for what this app holds about a person: form submissions (they hold no
address: erasing the contact leaves them anonymous, counted on the Forms page, by
the foreign key's SET NULL) and the typed searches kept with restore jobs. Restore
job items keep the bare contact id: it names no one once the contact is gone
(docs/decisions.md). Registered in apps.py."""

from django.utils.translation import gettext_lazy

from contacts_app.access_request import DataSection
from contacts_app.lib.scrub import rows_scrub
from contacts_app.services.erasure import ErasureScope

from .models import FormSubmission, RestoreJob


def restore_selections_scrub(scope: ErasureScope) -> None:
    rows_scrub(RestoreJob.objects.filter(workspace=scope.workspace), fields=["selection"], terms=scope.terms)


def _submission_rows(contact) -> list[dict]:
    submissions = FormSubmission.objects.filter(contact=contact).select_related("form").order_by("created_at", "id")
    return [
        {
            "form": s.form.name,
            "submitted_at": s.created_at,
            "outcome": s.outcome,
            "double_opt_in": s.double_opt_in,
            "confirmed_at": s.confirmed_at,
        }
        for s in submissions
    ]


SUBMISSIONS_SECTION = DataSection(
    "form_submissions",
    gettext_lazy("Form submissions"),
    (
        ("form", gettext_lazy("Form")),
        ("submitted_at", gettext_lazy("When")),
        ("outcome", gettext_lazy("Outcome")),
        ("confirmed_at", gettext_lazy("Confirmed")),
    ),
    _submission_rows,
    (("outcome", FormSubmission.Outcome),),
    erased=False,  # kept, anonymous: the form's counts stay true
)
