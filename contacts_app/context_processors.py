def workspace(request):
    membership = getattr(request, "membership", None)
    return {
        "workspace": getattr(request, "workspace", None),
        "is_workspace_admin": bool(membership and membership.is_admin),
    }
