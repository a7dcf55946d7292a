from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from contacts_app import selectors
from contacts_app.notices import notices_take
from contacts_app.web.access import referring_page

SWITCHER_SIZE = 20  # a support user in hundreds of workspaces gets the first 20 by name, not a page of links
SLUG_PLACEHOLDER = "__workspace__"  # a slug no URL pattern spells: replaced by each workspace's own


def language_next(request) -> str:
    """Where the language switch goes back to (U3): this page for a GET; after a POST
    (a confirmation page, a preview) the page the admin came from — a GET of a POST-only
    address would answer 405."""
    if request.method == "GET":
        return request.get_full_path()
    back = referring_page(request)
    if not back:
        return "/"
    parts = urlsplit(back)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def workspace(request):
    membership = getattr(request, "membership", None)
    current = getattr(request, "workspace", None)

    def other_workspaces():
        """The top bar's workspace switcher: the user's other workspaces, each linked to
        the same page there when that page is a workspace-wide one (a list), else to its
        Contacts page. Read only when the template shows the switcher."""
        match = getattr(request, "resolver_match", None)
        same_page = match and set(match.kwargs) == {"slug"}
        pattern = None  # the page's URL with a placeholder slug, reversed once (P5)
        if same_page:
            try:
                pattern = reverse(match.view_name, kwargs={"slug": SLUG_PLACEHOLDER})
            except NoReverseMatch:
                pattern = None
        pattern = pattern or reverse("contacts:list", args=[SLUG_PLACEHOLDER])
        return [
            {"name": name, "url": pattern.replace(SLUG_PLACEHOLDER, slug)}
            for name, slug in selectors.other_workspaces(user=request.user, workspace=current, limit=SWITCHER_SIZE)
        ]

    def notices():
        """R13: the user's unread notices, taken (marked read) only when a full page is
        rendered for a GET and its top bar shows them — never by a JSON poll, a CSV
        download or a POST, which no one sees."""
        if current is None or request.method != "GET":
            return []
        return notices_take(user=request.user, workspace=current)

    return {
        "language_next": language_next(request),
        "notices": SimpleLazyObject(notices),
        "workspace": current,
        "is_workspace_admin": bool(membership and membership.is_admin),
        "other_workspaces": other_workspaces if current is not None else list,
    }
