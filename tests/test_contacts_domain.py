"""Domain constraints enforced by the database."""

import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from contacts_app import selectors
from contacts_app.lib.errors import Conflict
from contacts_app.models import Contact, DealContact
from contacts_app.services.contacts import contact_create

from .factories import days_ago, make_contact, make_contacts, make_deal

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


def test_p1_contact_ids_by_email_finds_each_holder_case_blind_in_its_workspace_only(workspace, other_workspace):
    ada = make_contact(workspace, email="Ada@Example.com")
    bob = make_contact(workspace, email="bob@example.com", status="archived", archived_at=days_ago(40))
    make_contact(workspace, email="carl@example.com", status="merged", archived_at=days_ago(2))
    make_contact(other_workspace, email="dora@example.com")
    make_contact(other_workspace, email="ada@example.com")
    asked = ["ADA@example.com", "bob@EXAMPLE.com", "carl@example.com", "dora@example.com", "nobody@example.com"]
    assert selectors.contact_ids_by_email(workspace_id=workspace.id, emails=asked) == {
        "ada@example.com": ada.id,
        "bob@example.com": bob.id,
    }  # the merged duplicate and the other workspace's contacts are not holders (S2)
    assert selectors.contact_ids_by_email(workspace_id=workspace.id, emails=asked, status="active") == {
        "ada@example.com": ada.id
    }
    assert selectors.contact_ids_by_email(workspace_id=workspace.id, emails=[]) == {}


def test_p1_the_address_lookup_probes_the_email_index_whatever_the_workspace_holds(workspace):
    """A restore chunk's conflict check and a bounce batch look their addresses up one
    index probe each: walking the workspace's contacts cost 450-700 ms per 1,000 at a
    million contacts (the plan must not depend on statistics the partial index lacks)."""
    make_contacts(workspace, 3000)
    asked = [f"bulk{i}@example.com" for i in range(200)]
    with CaptureQueriesContext(connection) as ctx:
        selectors.contact_ids_by_email(workspace_id=workspace.id, emails=asked, status="active")
    (query,) = ctx.captured_queries
    with connection.cursor() as cur:
        cur.execute("ANALYZE contacts_app_contact")
        cur.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
        plan = json.dumps(cur.fetchone()[0])
    assert "uniq_contact_email_ci_per_workspace" in plan
    assert "Seq Scan" not in plan.replace('"Function Scan"', "")
    assert "contacts_app_contact_workspace_id" not in plan
