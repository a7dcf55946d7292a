from django.urls import NoReverseMatch, reverse

from contacts_app import selectors

SWITCHER_SIZE = 20  # a support user in hundreds of workspaces gets the first 20 by name, not a page of links


def workspace(request):
    membership = getattr(request, "membership", None)
    current = getattr(request, "workspace", None)

    def other_workspaces():
        """The top bar's workspace switcher: the user's other workspaces, each linked to
        the same page there when that page is a workspace-wide one (a list), else to its
        Contacts page. Read only when the template shows the switcher."""
        match = getattr(request, "resolver_match", None)
        same_page = match and set(match.kwargs) == {"slug"}
        links = []
        for other in selectors.other_memberships(user=request.user, workspace=current)[:SWITCHER_SIZE]:
            url = None
            if same_page:
                try:
                    url = reverse(match.view_name, kwargs={"slug": other.workspace.slug})
                except NoReverseMatch:
                    url = None
            links.append(
                {"name": other.workspace.name, "url": url or reverse("contacts:list", args=[other.workspace.slug])}
            )
        return links

    return {
        "workspace": current,
        "is_workspace_admin": bool(membership and membership.is_admin),
        "other_workspaces": other_workspaces if current is not None else list,
    }
