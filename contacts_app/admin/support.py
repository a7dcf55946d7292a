"""S8: support staff are staff with the Support group's permissions — to view and
change the product's rows (every change audited), never to grant themselves more.
The user admin keeps who is staff or superuser, and which groups and permissions a
user has, for superusers only."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission

SUPPORT_GROUP = "Support"
PRODUCT_APPS = ("contacts_app", "cleaned", "restore")
ESCALATING_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "last_login", "date_joined")


def support_group_ensure() -> Group:
    """The Support group: view and change every product model (the admins themselves
    refuse what a tenant must not lose: deleting a workspace, editing a read-only job),
    view users; nothing of groups or permissions. Safe to run again."""
    group, _created = Group.objects.get_or_create(name=SUPPORT_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in=PRODUCT_APPS, codename__regex=r"^(view|change)_"
    ) | Permission.objects.filter(content_type__app_label="auth", codename="view_user")
    group.permissions.set(wanted)
    return group


class SupportSafeUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in ESCALATING_FIELDS if f not in fields]
        return fields

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, SupportSafeUserAdmin)
