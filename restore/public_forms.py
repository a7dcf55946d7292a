"""R9 in the browser: a form's hosted public page, at its random public id (S3), for
visitors — no login, no session, no CSRF cookie (an embed posts from the customer's
own site). Abuse protection that needs no session: a signed, expiring token rendered
into the form, a honeypot field, and the per-address throttle of the submission API
(S7). Bad input is answered on the page with the visitor's values kept (S4)."""

from django import forms
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from contacts_app.api.throttling import FormSubmissionThrottle
from contacts_app.lib.errors import ServiceError
from contacts_app.lib.hygiene import validate_text
from contacts_app.models import Contact

from .services.form_submission import form_find, form_submission_save

TOKEN_SALT = "restore.public_forms"
TOKEN_MAX_AGE = 2 * 60 * 60  # a page left open for two hours is loaded again
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it


class VisitorForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"), max_length=Contact._meta.get_field("email").max_length, validators=[validate_text]
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


def _page(request, form_row, visitor: VisitorForm, *, error: str = "", status: int = 200):
    context = {"form_row": form_row, "visitor": visitor, "token": _token(form_row.public_id), "error": error}
    return render(request, "restore/form_public.html", context, status=status)


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
        return _page(request, form_row, VisitorForm())
    visitor = VisitorForm(request.POST)
    problem = _token_problem(request.POST.get("token", ""), form_row.public_id)
    if problem:
        return _page(request, form_row, visitor, error=problem, status=400)
    if request.POST.get(HONEYPOT):
        return redirect("form_thanks", public_id=form_row.public_id)  # a bot: thanked, nothing stored
    throttle = FormSubmissionThrottle()
    if not throttle.allow_request(request):
        wait = int(throttle.wait() or 60) + 1
        error = _("Too many submissions from your address. Try again in a minute.")
        response = _page(request, form_row, visitor, error=error, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not visitor.is_valid():
        return _page(request, form_row, visitor, status=400)
    data = visitor.cleaned_data
    try:
        form_submission_save(
            form=form_row,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
    except ServiceError as error:
        return _page(request, form_row, visitor, error=error.detail, status=error.status)
    return redirect("form_thanks", public_id=form_row.public_id)


@require_GET
def form_thanks(request, public_id: str):
    form_row = _public_form(public_id)
    if form_row is None:
        return _not_available(request)
    return render(request, "restore/form_thanks.html", {"form_row": form_row})
