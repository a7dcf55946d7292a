"""Domain constraints enforced by the database."""

import pytest
from django.db import IntegrityError, transaction

from contacts_app.lib.errors import Conflict
from contacts_app.models import Contact, DealContact
from contacts_app.services.contacts import contact_create

from .factories import days_ago, make_contact, make_deal

pytestmark = pytest.mark.django_db


def test_email_is_unique_per_workspace_case_insensitively(workspace):
    make_contact(workspace, email="Jane@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(workspace, email="jane@example.COM")


def test_two_workspaces_may_share_an_email(workspace, other_workspace):
    make_contact(workspace, email="shared@example.com")
    make_contact(other_workspace, email="shared@example.com")
    assert Contact.objects.filter(email="shared@example.com").count() == 2


def test_a_merged_contact_frees_its_email(workspace):
    make_contact(workspace, email="dup@example.com", status="merged", archived_at=days_ago(1))
    make_contact(workspace, email="dup@example.com")
    assert Contact.objects.filter(workspace=workspace, email="dup@example.com").count() == 2


def test_contact_create_explains_an_email_held_by_an_archived_contact(workspace):
    make_contact(workspace, email="gone@example.com", status="archived", archived_at=days_ago(40))
    with pytest.raises(Conflict) as exc:
        contact_create(workspace=workspace, email="GONE@example.com")
    assert exc.value.code == "email_archived" and "Restore it instead" in exc.value.detail
    assert "30-day freeze" not in exc.value.detail  # archived 40 days ago: no stale "from <past date>"
    make_contact(workspace, email="new@example.com", status="archived", archived_at=days_ago(3))
    with pytest.raises(Conflict) as frozen:
        contact_create(workspace=workspace, email="new@example.com")
    assert "after the 30-day freeze" in frozen.value.detail


def test_a_deal_has_at_most_one_primary_contact(workspace):
    a, b = make_contact(workspace), make_contact(workspace)
    deal = make_deal(workspace, [a], primary=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        DealContact.objects.create(deal=deal, contact=b, is_primary=True)


def test_an_archived_contact_always_has_its_archive_date(workspace):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(workspace, status="archived", archived_at=None)


def test_s2_p5_the_precompiled_membership_lookup_finds_only_the_users_own_workspace(
    workspace, other_workspace, admin_user
):
    """Every page resolves its workspace through one precompiled query (P5): it must answer
    what the ORM answers, workspace included, and nothing for a workspace the user is not in."""
    from contacts_app.models import WorkspaceMembership
    from contacts_app.selectors import membership_for

    found = membership_for(user=admin_user, slug=workspace.slug)
    expected = WorkspaceMembership.objects.select_related("workspace").get(user=admin_user, workspace=workspace)
    assert (found.pk, found.role, found.created_at, found.is_admin) == (
        expected.pk,
        expected.role,
        expected.created_at,
        expected.is_admin,
    )
    assert (found.workspace.pk, found.workspace.name, found.workspace.slug) == (
        workspace.pk,
        workspace.name,
        workspace.slug,
    )
    assert membership_for(user=admin_user, slug=other_workspace.slug) is None
    assert membership_for(user=admin_user, slug="no-such-workspace") is None


def test_p5_a_precompiled_query_refuses_a_value_that_would_be_baked_into_its_sql():
    """A value the ORM writes into the SQL text (a slice's LIMIT) would be the first call's
    for every later call: compiling it fails loudly instead."""
    from contacts_app.lib.sqlutil import CompiledQuery

    first_n = CompiledQuery(lambda n: Contact.objects.order_by("id").values_list("id")[:n], n=int)
    with pytest.raises(ValueError, match="did not reach the SQL as a parameter"):
        first_n(n=3)
