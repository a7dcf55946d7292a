"""C1: a cleaned address is bounced on every list. Written once, in the three forms
the code needs it: for one membership (subscribing), as SQL (restoring in bulk), and
as the update that cleaning makes."""

from collections.abc import Sequence

from contacts_app.models import EmailStatus, ListMembership, MembershipStatus


def membership_status_for(*, email_status: str, wanted: str) -> str:
    """The status a membership gets: what was asked for, unless the address is cleaned."""
    return MembershipStatus.BOUNCED if email_status == EmailStatus.CLEANED else wanted


def membership_status_sql(*, email_status: str, wanted: str) -> str:
    """`membership_status_for` as an SQL expression over two column references."""
    return (
        f"CASE WHEN {email_status} = '{EmailStatus.CLEANED.value}' THEN '{MembershipStatus.BOUNCED.value}' "
        f"ELSE {wanted} END"
    )


def memberships_bounce(*, contact_ids: Sequence[int]) -> int:
    """Cleaning: every list membership of these contacts becomes bounced."""
    return (
        ListMembership.objects.filter(contact_id__in=list(contact_ids))
        .exclude(status=MembershipStatus.BOUNCED)
        .update(status=MembershipStatus.BOUNCED)
    )


# U7: the sending providers as people know them (stored by their key, shown by name).
PROVIDER_NAMES = {
    "amazon_ses": "Amazon SES",
    "brevo": "Brevo",
    "mailgun": "Mailgun",
    "postmark": "Postmark",
    "sendgrid": "SendGrid",
    "sparkpost": "SparkPost",
    "mailjet": "Mailjet",
    "mandrill": "Mandrill",
    "resend": "Resend",
}


def provider_label(key: str) -> str:
    """A provider's name for display ("amazon_ses" → "Amazon SES"); the signed webhook's
    and the demo's own keys as they are."""
    from django.utils.translation import gettext

    if key == "demo":
        return gettext("demo data")
    if key == "file":  # import_bounces' default: a file of bounces, not a provider
        return gettext("File import")
    return PROVIDER_NAMES.get(key, key)
