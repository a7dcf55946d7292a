"""Parse what the pages post: the archived list's selection, a form's settings (no rules here)."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from contacts_app.filters import archived_filter
from contacts_app.web.forms import FlagField, SelectionForm

from .services.forms import SETTINGS
from .services.selection import Selection, selection_from_ids, selection_from_queryset

PAGE_KEYS = ("page", "per_page", "sort")


class RestoreForm(SelectionForm):
    """The preview and the start of a restore: the selection, and B3's explicit
    acceptance of a possible overage."""

    confirm_overage = FlagField()

    def selection(self, *, workspace) -> Selection:
        """Either ticked ids, or "all N matching this filter", resolved here on the
        server from the filter the page was showing."""
        data = self.cleaned_or_error()
        if data["select_all"]:
            params = QueryDict(data["filter"])
            qs = archived_filter(params, workspace=workspace).qs_or_error()
            description = {k: v for k, v in params.items() if k not in PAGE_KEYS and v}
            return selection_from_queryset(workspace=workspace, queryset=qs, description=description)
        return selection_from_ids(workspace=workspace, ids=data["ids"])


def selection_from_post(request) -> Selection:
    return RestoreForm(request.POST).selection(workspace=request.workspace)


class FormSettingsForm(forms.Form):
    """A form's settings as the admin types them (R9). Lengths are the columns' own: a
    value that does not fit is refused, never cut (S4); the rules are `form_save`'s."""

    name = forms.CharField(label=gettext_lazy("Form name"), max_length=200, strip=False)
    lists = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Lists it subscribes to"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    ask_first_name = forms.BooleanField(label=gettext_lazy("Ask for the first name"), required=False)
    ask_last_name = forms.BooleanField(label=gettext_lazy("Ask for the last name"), required=False)
    consent_text = forms.CharField(label=gettext_lazy("Consent sentence"), max_length=500, required=False)
    thank_you_message = forms.CharField(
        label=gettext_lazy("Thank-you message"), max_length=1000, required=False, widget=forms.Textarea
    )
    double_opt_in = forms.BooleanField(label=gettext_lazy("Double opt-in"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args, workspace, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {}).update(
                {key: getattr(instance, key) for key in SETTINGS} | {"lists": [m.id for m in instance.lists.all()]}
            )
        else:
            kwargs.setdefault("initial", {}).update(ask_first_name=True, ask_last_name=True, is_active=True)
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = list(workspace.lists.order_by("name").values_list("id", "name"))

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {"list_ids": data.pop("lists"), **data}
