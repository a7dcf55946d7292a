"""R1–R3, R6–R8, R10: what comes back and what does not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts_app import lifecycle, selectors
from contacts_app.models import (
    Account,
    Automation,
    AutomationRun,
    CampaignSend,
    Contact,
    ContactTag,
    Deal,
    DealContact,
    ListMembership,
    MailingList,
    Tag,
    Trigger,
)
from contacts_app.services.contacts import list_subscribe, tag_add
from contacts_app.services.merge import contacts_merge

from .factories import (
    make_account,
    make_contact,
    make_deal,
    make_list,
    make_tag,
    subscribe,
    tag,
)
from .restore_helpers import archive, restore_now

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.mark.parametrize(
    "age, reason",
    [
        (timedelta(days=30), None),  # exactly 30 days: restorable
        (timedelta(days=29, hours=23), "frozen"),
        (timedelta(days=364), None),
        (timedelta(days=364, hours=23, minutes=59), None),
        (timedelta(days=365), "expired"),  # exactly one year: gone
    ],
)
def test_r1_r2_freeze_and_window_boundaries(age, reason):
    assert lifecycle.skip_reason(status="archived", archived_at=NOW - age, now=NOW) == reason


def test_r9_freeze_does_not_apply_to_automatic_restore():
    assert (
        lifecycle.skip_reason(status="archived", archived_at=NOW - timedelta(days=1), now=NOW, respect_freeze=False)
        is None
    )


@pytest.mark.parametrize(
    "days, outcome", [(29.9, "frozen"), (30.01, "restored"), (364.9, "restored"), (365.01, "expired")]
)
def test_r1_r2_boundaries_hold_in_the_database_restore(workspace, days, outcome):
    c = make_contact(workspace)
    archive(workspace, [c], days=days)
    assert restore_now(workspace, [c]) == {c.id: outcome}


def test_r3_merged_contact_is_never_restored(workspace):
    survivor, dup = make_contact(workspace), make_contact(workspace)
    contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id)
    Contact.objects.filter(id=dup.id).update(archived_at=NOW - timedelta(days=60))
    assert restore_now(workspace, [dup]) == {dup.id: "merged"}
    dup.refresh_from_db()
    assert dup.status == "merged"


def test_r10_each_contact_gets_exactly_one_outcome(workspace, other_workspace):
    ok, frozen, old, active = (make_contact(workspace) for _ in range(4))
    archive(workspace, [ok], days=40)
    archive(workspace, [frozen], days=3)
    archive(workspace, [old], days=400)
    theirs = make_contact(other_workspace)
    archive(other_workspace, [theirs], days=40)
    outcomes = restore_now(workspace, [ok, frozen, old, active, theirs])
    assert outcomes == {
        ok.id: "restored",
        frozen.id: "frozen",
        old.id: "expired",
        active.id: "already_active",
        theirs.id: "not_found",
    }
    theirs.refresh_from_db()
    assert theirs.status == "archived"  # S2: never restored


def test_r6_restores_lists_with_status_account_tags_deals_and_created_date(workspace, admin_user):
    account = make_account(workspace)
    c = make_contact(workspace, account=account, created_at=NOW - timedelta(days=900))
    other = make_contact(workspace)
    lists = {s: make_list(workspace) for s in ("subscribed", "unconfirmed", "unsubscribed", "bounced")}
    for status, ml in lists.items():
        subscribe(c, ml, status)
    tags = [make_tag(workspace), make_tag(workspace)]
    for t in tags:
        tag(c, t)
    shared = make_deal(workspace, [c, other], primary=c)
    created_at = c.created_at

    archive(workspace, [c], actor=admin_user, days=40)
    assert restore_now(workspace, [c], actor=admin_user) == {c.id: "restored"}

    c.refresh_from_db()
    assert c.status == "active" and c.archived_at is None and c.archived_by is None  # R7
    assert c.created_at == created_at
    assert c.account_id == account.id
    assert dict(ListMembership.objects.filter(contact=c).values_list("mailing_list_id", "status")) == {
        ml.id: s for s, ml in lists.items()
    }
    assert set(ContactTag.objects.filter(contact=c).values_list("tag_id", flat=True)) == {t.id for t in tags}
    # Back on the shared deal, never as primary (the other contact took over).
    assert dict(DealContact.objects.filter(deal=shared).values_list("contact_id", "is_primary")) == {
        other.id: True,
        c.id: False,
    }


def test_r6_what_was_deleted_since_does_not_come_back(workspace):
    account = make_account(workspace)
    c = make_contact(workspace, account=account)
    kept_list, gone_list = make_list(workspace), make_list(workspace)
    subscribe(c, kept_list)
    subscribe(c, gone_list)
    kept_tag, gone_tag = make_tag(workspace), make_tag(workspace)
    tag(c, kept_tag)
    tag(c, gone_tag)
    solo = make_deal(workspace, [c])
    archive(workspace, [c], days=40)
    MailingList.objects.filter(id=gone_list.id).delete()
    Tag.objects.filter(id=gone_tag.id).delete()
    Account.objects.filter(id=account.id).delete()

    restore_now(workspace, [c])

    assert list(ListMembership.objects.filter(contact=c).values_list("mailing_list_id", flat=True)) == [kept_list.id]
    assert list(ContactTag.objects.filter(contact=c).values_list("tag_id", flat=True)) == [kept_tag.id]
    c.refresh_from_db()
    assert c.account_id is None
    assert not Deal.objects.filter(id=solo.id).exists()  # A3: deleted, not recreated
    assert not DealContact.objects.filter(contact=c).exists()


def test_b2_restored_cleaned_contact_stays_cleaned_bounced_and_unbilled(workspace):
    c = make_contact(workspace, email_status="cleaned")
    subscribe(c, make_list(workspace), "bounced")
    billable_before = selectors.billable_count(workspace=workspace)
    archive(workspace, [c], days=40)
    restore_now(workspace, [c])
    c.refresh_from_db()
    assert c.status == "active" and c.email_status == "cleaned"
    assert list(ListMembership.objects.filter(contact=c).values_list("status", flat=True)) == ["bounced"]
    assert selectors.billable_count(workspace=workspace) == billable_before


def test_b2_restored_contact_counts_against_the_limit_at_once(workspace):
    c = make_contact(workspace)
    archive(workspace, [c], days=40)
    before = selectors.billable_count(workspace=workspace)
    restore_now(workspace, [c])
    assert selectors.billable_count(workspace=workspace) == before + 1


def test_r7_restored_contact_is_found_by_the_normal_search(workspace):
    c = make_contact(workspace, email="findme@example.com", first_name="Findme")
    archive(workspace, [c], days=40)
    assert not selectors.contact_list(workspace=workspace, q="findme").exists()
    restore_now(workspace, [c])
    assert list(selectors.contact_list(workspace=workspace, q="findme")) == [c]


def test_r8_restore_fires_no_automation_while_the_same_actions_by_hand_do(workspace):
    ml, t = make_list(workspace), make_tag(workspace)
    for trigger, extra in (
        (Trigger.CONTACT_CREATED, {}),
        (Trigger.LIST_SUBSCRIBED, {"trigger_list": ml}),
        (Trigger.TAG_ADDED, {"trigger_tag": t}),
    ):
        Automation.objects.create(workspace=workspace, name=trigger, trigger=trigger, send_subject="Hello", **extra)
    c = make_contact(workspace)
    list_subscribe(contact=c, mailing_list=ml)
    tag_add(contact=c, tag=t)
    by_hand = AutomationRun.objects.filter(contact=c).count()
    assert by_hand == 2 and CampaignSend.objects.filter(contact=c).count() == 2

    archive(workspace, [c], days=40)
    restore_now(workspace, [c])

    assert ListMembership.objects.filter(contact=c, mailing_list=ml, status="subscribed").exists()
    assert ContactTag.objects.filter(contact=c, tag=t).exists()
    assert AutomationRun.objects.filter(contact=c).count() == by_hand
    assert CampaignSend.objects.filter(contact=c).count() == 2


def test_r11_restoring_twice_restores_once(workspace):
    c = make_contact(workspace)
    subscribe(c, make_list(workspace))
    archive(workspace, [c], days=40)
    assert restore_now(workspace, [c]) == {c.id: "restored"}
    assert restore_now(workspace, [c]) == {c.id: "already_active"}
    assert ListMembership.objects.filter(contact=c).count() == 1
