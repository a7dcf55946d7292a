"""S4: the one rule for an email address that enters the workspace."""

from django.utils.translation import gettext as _

from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import clean_text, is_email

EMAIL_MAX_LENGTH = 254  # Contact.email's column


def normalize_email(email: str) -> str:
    """S4: an address that fits its column, has no control character and passes
    Django's validator; the domain is lower-cased, the local part kept as typed."""
    email = clean_text((email or "").strip(), field="email", max_length=EMAIL_MAX_LENGTH)
    if not is_email(email):  # S4: the one definition, also the API document's pattern
        raise InvalidInput(_("“%(email)s” is not a valid email address.") % {"email": email}, code="invalid_email")
    local, __, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"
