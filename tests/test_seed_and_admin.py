import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from contacts_app.models import (
    ArchiveRecord,
    AuditEvent,
    Contact,
    Deal,
    ListMembership,
    Workspace,
)

from .factories import make_contact, make_user

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "contacts": Contact.objects.count(),
        "archived": Contact.objects.filter(status="archived").count(),
        "merged": Contact.objects.filter(status="merged").count(),
        "cleaned": Contact.objects.filter(email_status="cleaned").count(),
        "memberships": ListMembership.objects.count(),
        "deals": Deal.objects.count(),
        "records": ArchiveRecord.objects.count(),
        "workspaces": Workspace.objects.count(),
    }


def test_seed_demo_twice_gives_the_same_counts(settings):
    settings.DEBUG = True  # the demo's own setting (seed_demo refuses otherwise: S6)
    call_command("seed_demo", contacts=300)
    first = _counts()
    call_command("seed_demo", contacts=300)
    assert _counts() == first
    acme = Contact.objects.filter(workspace__slug="acme")
    assert acme.filter(status="archived").count() == 7 * 30 and acme.filter(status="merged").count() == 12
    assert acme.filter(email_status="cleaned").count() == 60
    assert Contact.objects.filter(workspace__slug="globex", status="archived").count() == 40
    ws = Workspace.objects.get(slug="acme")
    # Headroom: restoring every contact of Acme stays under 90% of its plan (B3's plain path).
    assert acme.count() * 10 < ws.contact_limit * 9
    # The activity log tells the seeded year: each archive and merge on the day it happened,
    # not every one of them today.
    from django.utils import timezone

    from contacts_app.models import AuditEvent

    archived_days = {
        timezone.localdate(e.created_at)
        for e in AuditEvent.objects.filter(
            workspace=ws, action__in=[AuditEvent.Action.ARCHIVE, AuditEvent.Action.MERGE]
        )
    }
    seeded_days = set(acme.filter(status__in=["archived", "merged"]).values_list("archived_at__date", flat=True))
    assert archived_days <= seeded_days and len(archived_days) > 7


@pytest.fixture
def staff_client(client):
    user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client, user


def test_support_staff_can_open_every_admin_list_page(staff_client, settings):
    client, _ = staff_client
    settings.DEBUG = True
    call_command("seed_demo", contacts=300)
    settings.DEBUG = False
    for model in admin.site._registry:
        meta = model._meta
        response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert response.status_code == 200, meta.label


def test_support_staff_change_in_the_admin_is_audit_logged(staff_client, workspace):
    client, user = staff_client
    contact = make_contact(workspace, email="typo@example.com")
    response = client.post(
        reverse("admin:contacts_app_contact_change", args=[contact.id]),
        {
            "workspace": workspace.id,
            "email": "fixed@example.com",
            "first_name": "A",
            "last_name": "B",
            "phone": "",
            "email_status": "ok",
            "cleaned_reason": "",
            **{f"{p}-TOTAL_FORMS": 0 for p in ("list_memberships", "contact_tags", "deal_links", "archive_records")},
            **{f"{p}-INITIAL_FORMS": 0 for p in ("list_memberships", "contact_tags", "deal_links", "archive_records")},
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="staff_change")
    assert event.actor == user and event.workspace == workspace and event.contact_ids == [contact.id]


def test_audit_log_cannot_be_edited_in_the_admin(staff_client, workspace):
    client, _ = staff_client
    event = AuditEvent.objects.create(workspace=workspace, action="archive")
    response = client.post(reverse("admin:contacts_app_auditevent_delete", args=[event.id]), {"post": "yes"})
    assert response.status_code == 403 and AuditEvent.objects.filter(id=event.id).exists()


def test_s2_s8_support_cannot_move_a_list_to_another_workspace_or_point_a_row_across_tenants(
    staff_client, workspace, other_workspace
):
    from contacts_app.models import Automation

    from .factories import make_list

    client, _ = staff_client
    news = make_list(workspace, "News")
    theirs = make_list(other_workspace, "Their list")
    change = reverse("admin:contacts_app_mailinglist_change", args=[news.id])
    form = {"name": "News", "workspace": other_workspace.id, "created_at_0": "2026-01-02", "created_at_1": "10:00:00"}
    response = client.post(change, form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    news.refresh_from_db()
    assert news.workspace_id == workspace.id  # read-only after creation: ignored
    add = reverse("admin:contacts_app_automation_add")
    response = client.post(
        add,
        {
            "workspace": workspace.id,
            "name": "Welcome",
            "trigger": "list_subscribed",
            "trigger_list": theirs.id,
            "send_subject": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "belongs to another workspace" in response.content.decode()
    assert not Automation.objects.filter(name="Welcome").exists()


def test_s8_support_staff_open_the_product_admin_but_cannot_make_themselves_superuser(client, workspace):
    """The demo's support login was a superuser, and a user's page let staff tick
    "superuser" for themselves."""
    from django.contrib.auth.models import Group

    from contacts_app.admin.support import support_group_ensure

    support = make_user(username="sam", is_staff=True)
    support.groups.add(support_group_ensure())
    client.force_login(support)
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label in ("contacts_app", "cleaned", "restore"):
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
            assert client.get(url).status_code == 200, meta.label
    page = client.get(reverse("admin:auth_user_change", args=[support.id]))
    assert page.status_code == 200 and 'name="is_superuser"' not in page.content.decode()
    client.post(
        reverse("admin:auth_user_change", args=[support.id]),
        {"username": "sam", "is_superuser": "on", "is_staff": "on", "groups": [g.id for g in Group.objects.all()]},
    )
    support.refresh_from_db()
    assert not support.is_superuser
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_s8_the_demos_support_login_is_staff_not_superuser(settings):
    settings.DEBUG = True
    call_command("seed_demo", contacts=300)
    from django.contrib.auth import get_user_model

    support = get_user_model().objects.get(username="support")
    assert support.is_staff and not support.is_superuser and support.groups.filter(name="Support").exists()
