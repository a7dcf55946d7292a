"""R9 in the browser: a form's hosted public page, at its random public id (S3), for
visitors — no login, no session, no CSRF cookie (an embed posts from the customer's
own site). Abuse protection that needs no session: a signed, expiring token rendered
into the form, a honeypot field, and the submission API's throttles, per address and
per form (S7). Bad input is answered on the page with the visitor's values kept (S4).

The embed code on the customer's site cannot carry a fresh token: what it posts is
shown again on this page, values kept and a token added, for one more click ("one more
step", as Mailchimp's embeds do) — nothing is stored without a token (docs/decisions.md).
With double opt-in, the emailed link opens a page whose button confirms (S3: a GET,
which mail scanners prefetch, changes nothing)."""

from django import forms
from django.core import signing
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from contacts_app.api.throttling import FormPageThrottle, FormTotalThrottle
from contacts_app.lib.errors import ServiceError
from contacts_app.lib.hygiene import validate_text
from contacts_app.models import Contact

from .services.form_confirmation import (
    Confirmation,
    comeback_details,
    confirmation_submission_id,
    form_submission_confirm,
    submission_confirmed,
)
from .services.form_submission import comeback_state, form_comeback_confirm, form_find, form_submission_save

TOKEN_SALT = "restore.public_forms"
TOKEN_MAX_AGE = 2 * 60 * 60  # a page left open for two hours is loaded again
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it


class VisitorForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=Contact._meta.get_field("email").max_length,
        validators=[validate_text],
        error_messages={"invalid": gettext_lazy("Enter a valid email address, like name@example.com.")},
    )
    first_name = forms.CharField(
        label=gettext_lazy("First name"),
        required=False,
        max_length=Contact._meta.get_field("first_name").max_length,
        validators=[validate_text],
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        required=False,
        max_length=Contact._meta.get_field("last_name").max_length,
        validators=[validate_text],
    )
    consent = forms.BooleanField(
        error_messages={"required": gettext_lazy("Tick the box to agree to receive our emails.")}
    )

    def __init__(self, *args, form_row, **kwargs):
        super().__init__(*args, **kwargs)
        if not form_row.ask_first_name:  # the admin's choice of fields (R9)
            del self.fields["first_name"]
        if not form_row.ask_last_name:
            del self.fields["last_name"]


def _token(public_id: str) -> str:
    return signing.dumps(public_id, salt=TOKEN_SALT)


def _token_problem(token: str, public_id: str) -> str:
    try:
        if signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE) == public_id:
            return ""
    except signing.SignatureExpired:
        return _("This page was open too long. Load it again, then send the form.")
    except signing.BadSignature:
        pass
    return _("This form could not be checked. Load the page again, then send it.")


def _page(request, form_row, visitor: VisitorForm, *, error: str = "", notice: str = "", status: int = 200):
    context = {
        "form_row": form_row,
        "visitor": visitor,
        "token": _token(form_row.public_id),
        "error": error,
        "notice": notice,
    }
    return render(request, "restore/form_public.html", context, status=status)


def _throttled(request, form_row, visitor, throttle, error: str):
    response = _page(request, form_row, visitor, error=error, status=429)
    response["Retry-After"] = str(int(throttle.wait() or 60) + 1)
    return response


def _public_form(public_id: str):
    """An active form by its public id only: the integer id is the API's legacy (S3)."""
    return None if public_id.isdigit() else form_find(form_ref=public_id)


def _not_available(request):
    return render(request, "restore/form_unavailable.html", status=404)


@csrf_exempt  # a visitor on the customer's site has no CSRF cookie of ours: the signed token stands for it
@require_http_methods(["GET", "POST"])
def form_public(request, public_id: str):
    form_row = _public_form(public_id)
    if form_row is None:
        return _not_available(request)
    if request.method == "GET":
        return _page(request, form_row, VisitorForm(form_row=form_row))
    visitor = VisitorForm(request.POST, form_row=form_row)
    if request.POST.get(HONEYPOT):
        return redirect("form_thanks", public_id=form_row.public_id)  # a bot: thanked, nothing stored
    token = request.POST.get("token", "")
    if not token and request.POST.get("source") == "embed":  # from the customer's site: one more step
        notice = _("One more step: check your details, then press Send.")
        return _page(request, form_row, visitor, notice=notice)
    problem = _token_problem(token, form_row.public_id)
    if problem:
        return _page(request, form_row, visitor, error=problem, status=400)
    throttle = FormPageThrottle()
    if not throttle.allow_request(request):
        return _throttled(
            request, form_row, visitor, throttle, _("Too many submissions from your address. Try again in a minute.")
        )
    if not visitor.is_valid():
        return _page(request, form_row, visitor, status=400)
    per_form = FormTotalThrottle()
    if not per_form.allow_form(request, form_id=form_row.id):
        return _throttled(
            request,
            form_row,
            visitor,
            per_form,
            _("This form is receiving too many submissions. Try again in a minute."),
        )
    data = visitor.cleaned_data
    try:
        result = form_submission_save(
            form=form_row,
            email=data["email"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            consent=data["consent"],  # required by the form: the person's own consent (G2)
        )
    except ServiceError as error:
        return _page(request, form_row, visitor, error=error.detail, status=error.status)
    thanks = reverse("form_thanks", kwargs={"public_id": form_row.public_id})
    return HttpResponseRedirect(f"{thanks}?check=email" if result.needs_confirmation else thanks)


@require_GET
def form_thanks(request, public_id: str):
    form_row = _public_form(public_id)
    if form_row is None:
        return _not_available(request)
    context = {"form_row": form_row, "check_email": request.GET.get("check") == "email"}
    return render(request, "restore/form_thanks.html", context)


@csrf_exempt  # the signed link is the credential: no other site can know it
@require_http_methods(["GET", "POST"])
def form_confirm(request, public_id: str, token: str):
    """R9's double opt-in link. GET shows the button; POST confirms. An altered or
    expired link is refused with a page (400); a second confirmation says it is done."""
    form_row = _public_form(public_id)
    if form_row is None:
        return _not_available(request)
    submission_id = confirmation_submission_id(token, public_id=form_row.public_id)
    if submission_id is None and comeback_details(token, public_id=form_row.public_id) is not None:
        # G2: the owner of a suppressed address signing up again
        if request.method == "GET":
            state = comeback_state(form=form_row, token=token)
        else:
            state = form_comeback_confirm(form=form_row, token=token)
        return render(request, "restore/form_confirm.html", {"form_row": form_row, "state": state})
    if submission_id is None:
        return render(request, "restore/form_confirm.html", {"form_row": form_row, "state": "invalid"}, status=400)
    if request.method == "GET":  # a link already followed says so; otherwise a button (S3)
        state = Confirmation.ALREADY if submission_confirmed(submission_id=submission_id) else "ask"
        return render(request, "restore/form_confirm.html", {"form_row": form_row, "state": state})
    state = form_submission_confirm(submission_id=submission_id)
    status = 410 if state == Confirmation.GONE else 200
    return render(request, "restore/form_confirm.html", {"form_row": form_row, "state": state}, status=status)
