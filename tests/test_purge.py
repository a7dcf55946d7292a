"""A5: archived contacts are purged one year after archiving."""

import pytest

from contacts_app.models import ArchiveRecord, AuditEvent, Contact
from contacts_app.services.purge import contacts_purge_expired

from .factories import days_ago, make_contact, make_contacts, make_list, subscribe
from .restore_helpers import archive

pytestmark = pytest.mark.django_db


def test_a5_contacts_archived_a_year_ago_are_purged_the_rest_stay(workspace, other_workspace):
    old = make_contacts(workspace, 3)
    for c in old:
        subscribe(c, make_list(workspace))
    archive(workspace, old, days=365.01)
    recent = make_contact(workspace)
    archive(workspace, [recent], days=364)
    theirs = make_contact(other_workspace)
    archive(other_workspace, [theirs], days=400)
    merged_long_ago = make_contact(workspace, status="merged", archived_at=days_ago(366))
    active = make_contact(workspace)

    assert contacts_purge_expired() == 5

    remaining = set(Contact.objects.values_list("id", flat=True))
    assert remaining == {recent.id, active.id}
    assert not ArchiveRecord.objects.filter(contact_id__in=[c.id for c in old]).exists()
    tombstones = AuditEvent.objects.filter(action="purge")
    assert sum(e.count for e in tombstones) == 5 and all(e.contact_ids == [] for e in tombstones)
    assert merged_long_ago.id not in remaining


def test_a5_purge_is_safe_to_run_twice(workspace):
    archive(workspace, make_contacts(workspace, 2), days=400)
    assert contacts_purge_expired() == 2
    assert contacts_purge_expired() == 0
