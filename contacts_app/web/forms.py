"""Forms of the contact pages, and the pieces the other apps' forms share. They parse
and validate input (S4); business rules stay in the services."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts_app import selectors
from contacts_app.filters import SEARCH_MAX_LENGTH
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import MAX_ID, parse_positive_int, validate_text
from contacts_app.lib.i18n import num
from contacts_app.models import Contact


def parse_id_list(values, *, what: str = "contact") -> list[int]:
    """A non-empty list of positive integer ids, at most MAX_SELECTION_SIZE (S4)."""
    ids: set[int] = set()
    for raw in values:
        for part in str(raw).split(","):
            part = part.strip()
            if not part:
                continue
            if parse_positive_int(part, maximum=MAX_ID) is None:
                message = (
                    _("“%(value)s” is not a valid contact id.")
                    if what == "contact"
                    else _("“%(value)s” is not a valid %(what)s id.")
                )
                raise InvalidInput(message % {"value": part[:40], "what": what}, code="invalid_id")
            ids.add(int(part))
    if not ids:
        raise InvalidInput(
            _("Select at least one contact first.")
            if what == "contact"
            else _("Select at least one %(what)s first.") % {"what": what},
            code="empty_selection",
        )
    if len(ids) > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(
            _("That is %(count)s ids; at most %(max)s can be handled at once.")
            % {"count": num(len(ids)), "max": num(settings.MAX_SELECTION_SIZE)},
            code="selection_too_large",
        )
    return sorted(ids)


PAGE_SIZES = (25, 50, 100)


def parse_page_size(raw: str | None, *, default: int) -> int:
    if raw in (None, ""):
        return default
    if parse_positive_int(raw) not in PAGE_SIZES:
        raise InvalidInput(
            _("Page size must be one of %(sizes)s.") % {"sizes": ", ".join(map(str, PAGE_SIZES))},
            code="invalid_page_size",
        )
    return int(raw)


class IdListField(forms.Field):
    """Ticked ids (`ids=1&ids=2` or `ids=1,2`), parsed by `parse_id_list`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, what: str = "contact", **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value and not self.required:
            return []
        try:
            return parse_id_list(value or [], what=self.what)
        except InvalidInput as error:
            raise ValidationError(error.detail, code=error.code) from None


class FlagField(forms.Field):
    """A hidden "1"/"0" switch that scripts set: only "1" turns it on."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return value == "1"


class ServiceForm(forms.Form):
    """A form posted by a button rather than typed into: when it is not valid, the
    page answers like a service error (a 4xx page with one sentence, S4)."""

    def cleaned_or_error(self) -> dict:
        if not self.is_valid():
            errors = self.errors.as_data()
            first = next(iter(errors.values()))[0]
            detail = " ".join(message for field_errors in self.errors.values() for message in field_errors)
            raise InvalidInput(detail, code=first.code or "invalid")
        return self.cleaned_data


class SelectionForm(ServiceForm):
    """Ticked contacts, or "every contact matching this filter" (`select_all=1` with
    the filter's query string), as the archived and cleaned lists post them."""

    ids = IdListField(required=False)
    select_all = FlagField()
    filter = forms.CharField(required=False, strip=False)

    def clean(self):
        data = super().clean()
        if not data.get("select_all") and not data.get("ids") and "ids" not in self.errors:
            raise ValidationError(_("Select at least one contact first."), code="empty_selection")
        return data


class SearchForm(ServiceForm):
    """The Contacts page's search box."""

    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH, validators=[validate_text])


class ArchiveForm(SelectionForm):
    """A1: archive the ticked contacts, or every contact the Contacts page shows for its
    search (`select_all=1` with the page's query string), then go back where the admin was."""

    next = forms.CharField(required=False)
    confirmation = forms.CharField(required=False, strip=False, max_length=100)  # the typed word, for all matching

    def search(self) -> str:
        """The search "all matching" stands for, as the page showed it."""
        return QueryDict(self.cleaned_data.get("filter") or "").get("q", "")

    def contact_ids(self, *, workspace) -> list[int]:
        data = self.cleaned_or_error()
        if not data["select_all"]:
            return data["ids"]
        q = SearchForm(QueryDict(data["filter"])).cleaned_or_error()["q"]
        return list(selectors.contact_list(workspace=workspace, q=q).order_by("id").values_list("id", flat=True))


class ContactForm(forms.Form):
    """Add or edit a contact. Lengths are the columns' own: a value that does not fit
    is refused, never cut (S4)."""

    email = forms.CharField(
        max_length=Contact._meta.get_field("email").max_length, strip=True, validators=[validate_text]
    )
    first_name = forms.CharField(
        max_length=Contact._meta.get_field("first_name").max_length, required=False, validators=[validate_text]
    )
    last_name = forms.CharField(
        max_length=Contact._meta.get_field("last_name").max_length, required=False, validators=[validate_text]
    )
    phone = forms.CharField(
        max_length=Contact._meta.get_field("phone").max_length, required=False, validators=[validate_text]
    )


class NewContactForm(ContactForm):
    """C6: a new contact needs the admin's word that the person agreed to be emailed.
    Started from a cleaned contact (a typo'd address), it offers that contact's lists
    and tags, ticked, and keeps its account."""

    consent = forms.BooleanField(
        error_messages={
            "required": gettext_lazy("Tick “This person gave me permission to email them” to add this contact.")
        }
    )
    lists = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    tags = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, source=None, workspace=None, **kwargs):
        if source is not None:
            kwargs.setdefault("initial", {}).update(
                first_name=source.first_name,
                last_name=source.last_name,
                phone=source.phone,
                lists=[m.mailing_list_id for m in source.list_memberships.all()],
                tags=[t.id for t in source.tags.all()],
            )
        super().__init__(*args, **kwargs)
        self.source = source
        if source is not None:
            self.fields["lists"].choices = [
                (m.mailing_list_id, m.mailing_list.name) for m in source.list_memberships.all()
            ]
            self.fields["tags"].choices = [(t.id, t.name) for t in source.tags.all()]
        elif workspace is not None:  # a new contact may join the workspace's lists and tags at once
            self.fields["lists"].choices = list(workspace.lists.order_by("name").values_list("id", "name"))
            self.fields["tags"].choices = list(workspace.tags.order_by("name").values_list("id", "name"))

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        extra = {"list_ids": data.pop("lists"), "tag_ids": data.pop("tags")}
        if self.source is not None:
            extra |= {"account_id": self.source.account_id, "replaces": self.source}
        return data | extra


class BoundedLogin:
    """S4 for the login forms: Django's AuthenticationForm only sets the username's
    max_length on the widget, so a 5,000-character username reached `authenticate()` and
    axes' 255-character column (a 500). Here it is refused as a form error first, as is
    a control character, and the password is bounded too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators += [MaxLengthValidator(username.max_length), validate_text]
        self.fields["password"].validators.append(MaxLengthValidator(4096))


class LoginForm(BoundedLogin, AuthenticationForm):
    pass


class AdminLoginForm(BoundedLogin, AdminAuthenticationForm):
    pass
