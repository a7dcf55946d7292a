"""The contact filter shared by the archived list, the cleaned view, the contacts
API, exports and "select all matching": one definition, so the count the admin sees
is the set that is restored, archived or exported.

List, tag and account filters also match archived contacts through their archive
snapshot: an archived contact was detached from its lists, but an admin looking for
"archived contacts who were on Newsletter" expects to find them."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from contacts_app import lifecycle
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import check_date_range, parse_positive_int, validate_date, validate_text
from contacts_app.lib.sqlutil import CompiledQuery
from contacts_app.lifecycle import OFF_LIST
from contacts_app.models import (
    Account,
    Contact,
    ContactStatus,
    ContactTag,
    EmailStatus,
    ListMembership,
    MailingList,
    Tag,
)

RESTORABILITY = (
    ("yes", gettext_lazy("Restorable now")),
    ("frozen", gettext_lazy("Still frozen (archived < 30 days)")),
    ("expiring", gettext_lazy("Deleted for good within 30 days")),
    ("expired", gettext_lazy("Past the one-year window")),
    ("merged", pgettext_lazy("restorability", "Merged")),  # French: plural, as the others
)
# The restorability filters under which nothing can come back (R2, R3): the archived
# list offers no Restore under them.
NOTHING_RESTORABLE = ("expired", "frozen", "merged")  # frozen: not before its 30 days end (R2)


class BoundedModelChoiceField(forms.ModelChoiceField):
    """An id is looked up only when it is a plain positive 64-bit number (S4)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_positive_int(str(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


CHOICE_MODELS = {"list": MailingList, "tag": Tag, "account": Account}


def _choices(model, *, workspace_id: int):
    """S2: the workspace's own lists, tags or accounts: another's id is not a valid choice."""
    return model.objects.filter(workspace_id=workspace_id).order_by("name")


def _all_choices(workspace_id: int):
    parts = [
        _choices(model, workspace_id=workspace_id)
        .order_by()
        .annotate(kind=Value(name))
        .values_list("kind", "id", "name")
        for name, model in CHOICE_MODELS.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("kind", "name", "id")


_ALL_CHOICES = CompiledQuery(_all_choices, workspace_id=int)  # P5: read on every list page


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


SEARCH_MAX_LENGTH = 200


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=gettext_lazy("Search"), max_length=SEARCH_MAX_LENGTH, validators=[validate_text]
    )
    status = django_filters.ChoiceFilter(choices=ContactStatus.choices)
    email_status = django_filters.ChoiceFilter(choices=EmailStatus.choices, label=gettext_lazy("Email status"))
    archived_after = django_filters.DateFilter(
        method="filter_archived_after", label=gettext_lazy("Archived from"), validators=[validate_date]
    )
    archived_before = django_filters.DateFilter(
        method="filter_archived_before", label=gettext_lazy("Archived until"), validators=[validate_date]
    )
    restorable = django_filters.ChoiceFilter(
        choices=RESTORABILITY, method="filter_restorable", label=gettext_lazy("Restorability")
    )
    list = IdChoiceFilter(queryset=MailingList.objects.none(), method="filter_list", label=gettext_lazy("List"))
    tag = IdChoiceFilter(queryset=Tag.objects.none(), method="filter_tag", label=gettext_lazy("Tag"))
    account = IdChoiceFilter(queryset=Account.objects.none(), method="filter_account", label=gettext_lazy("Account"))

    class Meta:
        model = Contact
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        *,
        workspace,
        statuses: tuple[str, ...] | None = None,
        email_status: str | None = None,
        now: datetime | None = None,
        **kwargs,
    ):
        """`statuses` and `email_status` fix the page's scope (the archived list: archived
        and merged; the cleaned view: active and cleaned); the data filters within it."""
        queryset = Contact.objects.filter(workspace=workspace)
        if statuses:
            queryset = queryset.filter(status__in=statuses)
        if email_status:
            queryset = queryset.filter(email_status=email_status)
        super().__init__(data, queryset=queryset, **kwargs)
        # Archived and merged contacts have no live lists, tags or account (A2).
        self.live = not statuses or not set(statuses) <= set(OFF_LIST)
        self.now = now or timezone.now()
        # S2: another workspace's list/tag/account id is simply not a valid choice.
        for name, model in CHOICE_MODELS.items():
            self.filters[name].queryset = _choices(model, workspace_id=workspace.id)
        self.workspace = workspace

    @cached_property
    def options(self) -> "dict[str, list[tuple[int, str, bool]]]":
        """The list, tag and account choices as (id, name, selected), read once per page
        with their names only, the three in one query (P5: a template loop over model
        rows that asks the bound field its value at each option cost more than the query)."""
        picked = {name: str(self.form[name].value() or "") for name in CHOICE_MODELS}
        options = {name: [] for name in CHOICE_MODELS}
        for kind, pk, label in _ALL_CHOICES(workspace_id=self.workspace.id):
            options[kind].append((pk, label, str(pk) == picked[kind]))
        return options

    def described(self) -> "list[tuple[str, str]]":  # (`list` is a filter of this class)
        """(label, value) of each criterion in use, in the reader's words: what an "all
        matching" confirmation restates (G1). Call after `qs_or_error`."""
        shown = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            field = self.form.fields[name]
            choices = dict(getattr(field, "choices", []) or [])
            if isinstance(value, date):
                value = date_format(value)
            shown.append((str(self.filters[name].label or name), str(choices.get(value, value))))
        return shown

    def qs_or_error(self):
        """The filtered queryset, or InvalidInput naming each bad field (S4)."""
        if not self.is_valid():
            problems = _("; ").join(  # the separators in the reader's typography (French: a space before)
                _("%(field)s: %(problems)s") % {"field": self.filters[name].label or name, "problems": " ".join(errs)}
                for name, errs in self.errors.items()
            )
            raise InvalidInput(
                _("Some filters are not valid — %(problems)s") % {"problems": problems}, code="invalid_filter"
            )
        data = self.form.cleaned_data
        check_date_range(
            data.get("archived_after"),
            data.get("archived_before"),
            start_label=str(self.filters["archived_after"].label),
            end_label=str(self.filters["archived_before"].label),
        )
        return self.qs

    def filter_q(self, qs, name, value):
        return qs.search(value)

    def _day_start(self, value):
        return timezone.make_aware(datetime.combine(value, time.min), timezone.get_current_timezone())

    def filter_archived_after(self, qs, name, value):
        return qs.filter(archived_at__gte=self._day_start(value))

    def filter_archived_before(self, qs, name, value):
        return qs.filter(archived_at__lt=self._day_start(value) + timedelta(days=1))

    def filter_restorable(self, qs, name, value):
        now = self.now
        in_window = lifecycle.restorable_q(now=now, respect_freeze=False)
        if value == "yes":
            return qs.filter(lifecycle.restorable_q(now=now))
        if value == "frozen":
            return qs.filter(in_window, archived_at__gt=now - lifecycle.FREEZE)
        if value == "expiring":
            return qs.filter(lifecycle.purge_due_q(now=now))
        if value == "expired":
            return qs.filter(status=ContactStatus.ARCHIVED, archived_at__lte=now - lifecycle.RETENTION)
        return qs.filter(status=ContactStatus.MERGED)

    # The snapshot side reads the copy of the snapshot on the contact row, tested
    # inline while the list is walked in date order (a GIN index serves rare ids):
    # hashing 160,000 snapshot ids per request was what made these filters slow (P2).
    # The live side is skipped where only archived/merged contacts can match.
    def _live_or_snapshot(self, live: Q, snapshot: Q) -> Q:
        if not self.live:
            return snapshot  # the queryset holds archived and merged contacts only
        return live | (Q(status__in=OFF_LIST) & snapshot)

    def filter_list(self, qs, name, value):
        live = Q(id__in=ListMembership.objects.filter(mailing_list=value).values("contact_id"))
        return qs.filter(self._live_or_snapshot(live, Q(snapshot_list_ids__has=value.pk)))

    def filter_tag(self, qs, name, value):
        live = Q(id__in=ContactTag.objects.filter(tag=value).values("contact_id"))
        return qs.filter(self._live_or_snapshot(live, Q(snapshot_tag_ids__has=value.pk)))

    def filter_account(self, qs, name, value):
        return qs.filter(self._live_or_snapshot(Q(account=value), Q(snapshot_account_id=value.pk)))


ARCHIVED_LABELS = {
    "q": gettext_lazy("Name or email"),
    "list": gettext_lazy("Was on list"),
    "tag": gettext_lazy("Had tag"),
}


def archived_filter(params, *, workspace) -> ContactFilter:
    """The archived list's filter: archived and merged contacts only (R3 lists merged ones).

    Its chips and errors name the fields as the page labels them (U1): an archived
    contact *was* on a list, *had* a tag, was searched by name or email."""
    filterset = ContactFilter(params, workspace=workspace, statuses=OFF_LIST)
    for name, label in ARCHIVED_LABELS.items():
        filterset.filters[name].label = label
    return filterset
