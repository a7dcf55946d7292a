"""A1–A4: archiving snapshots and detaches associations, set-based."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts_app.models import (
    ArchivedContactTag,
    ArchivedDealLink,
    ArchivedListMembership,
    ArchiveRecord,
    AuditEvent,
    Contact,
    ContactTag,
    Deal,
    DealContact,
    ListMembership,
)
from contacts_app.services.archive import contacts_archive
from contacts_app.services.merge import contacts_merge

from .factories import (
    days_ago,
    make_account,
    make_contact,
    make_contacts,
    make_deal,
    make_list,
    make_tag,
    subscribe,
    tag,
)

pytestmark = pytest.mark.django_db


def test_a2_archive_snapshots_lists_tags_account_then_detaches_them(workspace, admin_user):
    account = make_account(workspace, "Northwind")
    contact = make_contact(workspace, account=account, created_at=days_ago(500))
    lists = {s: make_list(workspace, f"L-{s}") for s in ("subscribed", "unconfirmed", "unsubscribed", "bounced")}
    for status, ml in lists.items():
        subscribe(contact, ml, status)
    tags = [make_tag(workspace, "vip"), make_tag(workspace, "lead")]
    for t in tags:
        tag(contact, t)
    created_at = contact.created_at

    assert contacts_archive(workspace=workspace, contact_ids=[contact.id], actor=admin_user) == 1

    contact.refresh_from_db()
    assert contact.status == "archived"
    assert contact.archived_at is not None and contact.archived_by == admin_user
    assert contact.created_at == created_at  # history kept
    assert contact.account is None
    assert not ListMembership.objects.filter(contact=contact).exists()
    assert not ContactTag.objects.filter(contact=contact).exists()

    record = ArchiveRecord.objects.get(contact=contact)
    assert record.account_id_snapshot == account.id and record.account_name == "Northwind"
    snap = {(m.list_id_snapshot, m.status) for m in ArchivedListMembership.objects.filter(record=record)}
    assert snap == {(ml.id, status) for status, ml in lists.items()}
    assert {t.tag_id_snapshot for t in ArchivedContactTag.objects.filter(record=record)} == {t.id for t in tags}


def test_a3_sole_contact_deal_is_deleted_and_shared_deal_keeps_others(workspace, admin_user):
    leaving, staying = make_contact(workspace), make_contact(workspace)
    solo = make_deal(workspace, [leaving], title="Solo deal")
    shared = make_deal(workspace, [leaving, staying], primary=staying, title="Shared deal")

    contacts_archive(workspace=workspace, contact_ids=[leaving.id], actor=admin_user)

    assert not Deal.objects.filter(id=solo.id).exists()
    assert list(DealContact.objects.filter(deal=shared).values_list("contact_id", "is_primary")) == [(staying.id, True)]
    links = {link.deal_id_snapshot: link for link in ArchivedDealLink.objects.filter(contact=leaving)}
    assert links[solo.id].deal_deleted and links[solo.id].was_primary
    assert not links[shared.id].deal_deleted and not links[shared.id].was_primary


def test_a3_primary_leaving_a_shared_deal_hands_primary_to_the_longest_standing_contact(workspace, admin_user):
    primary, second, third = make_contact(workspace), make_contact(workspace), make_contact(workspace)
    deal = make_deal(workspace, [primary, second, third], primary=primary)

    contacts_archive(workspace=workspace, contact_ids=[primary.id], actor=admin_user)

    assert DealContact.objects.get(deal=deal, is_primary=True).contact_id == second.id
    assert DealContact.objects.filter(deal=deal).count() == 2
    assert ArchivedDealLink.objects.get(contact=primary).was_primary


def test_a3_archiving_every_contact_of_a_deal_at_once_deletes_it(workspace, admin_user):
    a, b = make_contact(workspace), make_contact(workspace)
    deal = make_deal(workspace, [a, b])

    contacts_archive(workspace=workspace, contact_ids=[a.id, b.id], actor=admin_user)

    assert not Deal.objects.filter(id=deal.id).exists()
    assert ArchivedDealLink.objects.filter(deal_id_snapshot=deal.id, deal_deleted=True).count() == 2


def test_a3_deal_contacts_in_different_chunks_behave_like_one_by_one(workspace, admin_user, settings):
    settings.ARCHIVE_CHUNK_SIZE = 1
    a, b = make_contact(workspace), make_contact(workspace)
    deal = make_deal(workspace, [a, b], primary=a)

    contacts_archive(workspace=workspace, contact_ids=[a.id, b.id], actor=admin_user)

    assert not Deal.objects.filter(id=deal.id).exists()
    assert ArchivedDealLink.objects.get(contact=a).deal_deleted is False  # b was still on it
    assert ArchivedDealLink.objects.get(contact=b).deal_deleted is True


def test_a1_archive_ignores_non_active_and_other_workspace_contacts(workspace, other_workspace, admin_user):
    mine = make_contact(workspace)
    theirs = make_contact(other_workspace)
    already = make_contact(workspace, status="archived", archived_at=days_ago(40))

    archived = contacts_archive(workspace=workspace, contact_ids=[mine.id, theirs.id, already.id], actor=admin_user)

    assert archived == 1
    theirs.refresh_from_db()
    assert theirs.status == "active"
    assert ArchiveRecord.objects.filter(contact=already).count() == 0


def test_a1_bulk_archive_is_set_based_query_count_does_not_grow_with_contacts(workspace, admin_user):
    ml, t = make_list(workspace), make_tag(workspace)

    def archive_n(n: int) -> int:
        contacts = make_contacts(workspace, n)
        ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=ml) for c in contacts])
        ContactTag.objects.bulk_create([ContactTag(contact=c, tag=t) for c in contacts])
        for c in contacts[:5]:
            make_deal(workspace, [c])
        with CaptureQueriesContext(connection) as ctx:
            assert contacts_archive(workspace=workspace, contact_ids=[c.id for c in contacts], actor=admin_user) == n
        return len(ctx.captured_queries)

    assert archive_n(50) == archive_n(900)
    assert Contact.objects.filter(workspace=workspace, status="archived").count() == 950


def test_a1_bulk_archive_of_ten_thousand_contacts_takes_a_handful_of_queries_per_chunk(workspace, admin_user):
    contacts = make_contacts(workspace, 10_000)
    with CaptureQueriesContext(connection) as ctx:
        contacts_archive(workspace=workspace, contact_ids=[c.id for c in contacts], actor=admin_user)
    assert Contact.objects.filter(workspace=workspace, status="archived").count() == 10_000
    assert len(ctx.captured_queries) <= 10 * 15  # 10 chunks of 1,000, each a fixed handful


def test_a2_archive_writes_one_audit_event_with_the_contacts(workspace, admin_user):
    contacts = make_contacts(workspace, 3)
    contacts_archive(workspace=workspace, contact_ids=[c.id for c in contacts], actor=admin_user)
    event = AuditEvent.objects.get(action="archive")
    assert event.actor == admin_user and event.workspace == workspace
    assert sorted(event.contact_ids) == sorted(c.id for c in contacts) and event.count == 3


def test_merge_moves_associations_to_the_survivor_and_marks_the_duplicate_merged(workspace, admin_user):
    survivor, dup = make_contact(workspace), make_contact(workspace, account=make_account(workspace))
    shared_list, own_list = make_list(workspace), make_list(workspace)
    subscribe(survivor, shared_list)
    subscribe(dup, shared_list, "unsubscribed")
    subscribe(dup, own_list)
    t = make_tag(workspace)
    tag(dup, t)
    deal = make_deal(workspace, [dup])

    contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id, actor=admin_user)

    dup.refresh_from_db()
    survivor.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into == survivor
    assert dict(ListMembership.objects.filter(contact=survivor).values_list("mailing_list_id", "status")) == {
        shared_list.id: "subscribed",
        own_list.id: "subscribed",
    }
    assert list(survivor.tags.all()) == [t]
    assert DealContact.objects.get(deal=deal).contact_id == survivor.id
    assert survivor.account_id is not None
