"""Who may see what: every workspace page goes through `workspace_view` (S1, S2)."""

from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from contacts_app import selectors
from contacts_app.lib.errors import ServiceError


def workspace_view(*, admin_only: bool = False):
    """Resolve the workspace from the URL slug for the logged-in user.

    Not a member: 404, as if the workspace did not exist (S2). A member on an
    admin-only view: 403 (S1). Anonymous: redirected to login."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, slug: str, *args, **kwargs):
            membership = selectors.membership_for(user=request.user, slug=slug)
            if membership is None:
                raise Http404(_("No such workspace."))
            request.workspace = membership.workspace  # the 403 page keeps its top bar too
            request.membership = membership
            if admin_only and not membership.is_admin:
                return admins_only(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def admins_only(request):
    """S1's refusal of a member: a plain 403 page (an expected refusal, logged as one
    line, no traceback), for views that let members read but not change."""
    return render(request, "403.html", {"exception": _("Only workspace admins can do this.")}, status=403)


def referring_page(request) -> str:
    """The page the admin came from, when it is one of this site's ("" otherwise)."""
    back = request.META.get("HTTP_REFERER", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return ""


def came_from(request) -> str:
    """The page the admin came from, when it is another address of this site: a POST
    answered by going back never lands on its own POST-only address ("" otherwise)."""
    back = referring_page(request)
    return back if back and urlsplit(back).path != request.path else ""


def render_service_error(request, error):
    """The 4xx page with the sentence, and a way back to the page the admin came from
    (a plain link: the CSP forbids `javascript:` URLs, and it must work without JS)."""
    back = referring_page(request)
    if not back and request.method == "GET" and request.GET:
        back = request.path  # a typed or stale address: the same page without what was wrong in its query
    return render(request, "error.html", {"error": error, "back": back}, status=error.status)


# A POST from a list with nothing ticked (no JavaScript to disable its button): the
# admin goes back to that list, told to tick something.
BACK_TO_THE_LIST = {"empty_selection"}


def handles_service_errors(view):
    """Turn a ServiceError into its 4xx page with the sentence for the admin (S4)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ServiceError as error:
            back = came_from(request) if error.code in BACK_TO_THE_LIST else ""
            if request.method == "POST" and back:
                messages.error(request, error.detail)  # U1: the same list, with what to do, not a dead end
                return redirect(back)
            return render_service_error(request, error)

    return wrapped
