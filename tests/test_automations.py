"""Automations fire on normal actions; A4/C2: archived and cleaned contacts receive nothing."""

import pytest

from contacts_app.models import Automation, AutomationRun, CampaignSend, Trigger
from contacts_app.services.archive import contacts_archive
from contacts_app.services.contacts import (
    campaign_send,
    contact_create,
    list_subscribe,
    tag_add,
)

from .factories import days_ago, make_contact, make_list, make_tag, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def automations(workspace):
    newsletter, vip = make_list(workspace, "Newsletter"), make_tag(workspace, "VIP")
    return {
        "list": newsletter,
        "tag": vip,
        "created": Automation.objects.create(
            workspace=workspace, name="Welcome", trigger=Trigger.CONTACT_CREATED, send_subject="Welcome"
        ),
        "subscribed": Automation.objects.create(
            workspace=workspace,
            name="Newsletter hi",
            trigger=Trigger.LIST_SUBSCRIBED,
            trigger_list=newsletter,
            send_subject="Hi",
        ),
        "tagged": Automation.objects.create(
            workspace=workspace, name="VIP", trigger=Trigger.TAG_ADDED, trigger_tag=vip, send_subject="VIP"
        ),
    }


def test_automation_fires_on_contact_created(workspace, automations):
    contact = contact_create(workspace=workspace, email="new@example.com", consent=True)
    assert AutomationRun.objects.filter(automation=automations["created"], contact=contact).count() == 1
    assert CampaignSend.objects.filter(contact=contact, subject="Welcome").count() == 1


def test_automation_fires_on_list_subscribed(workspace, automations):
    contact = make_contact(workspace)
    list_subscribe(contact=contact, mailing_list=automations["list"])
    assert AutomationRun.objects.filter(automation=automations["subscribed"], contact=contact).count() == 1
    list_subscribe(contact=contact, mailing_list=automations["list"])  # already subscribed: no second run
    assert AutomationRun.objects.filter(automation=automations["subscribed"], contact=contact).count() == 1


def test_automation_fires_on_tag_added(workspace, automations):
    contact = make_contact(workspace)
    tag_add(contact=contact, tag=automations["tag"])
    assert AutomationRun.objects.filter(automation=automations["tagged"], contact=contact).count() == 1
    assert CampaignSend.objects.filter(contact=contact, subject="VIP").count() == 1


def test_contact_created_with_lists_and_tags_fires_every_matching_trigger(workspace, automations):
    contact = contact_create(
        workspace=workspace,
        email="both@example.com",
        list_ids=[automations["list"].id],
        tag_ids=[automations["tag"].id],
        consent=True,
    )
    assert set(AutomationRun.objects.filter(contact=contact).values_list("trigger", flat=True)) == {
        "contact_created",
        "list_subscribed",
        "tag_added",
    }


def test_without_consent_memberships_are_unconfirmed_and_no_subscribe_trigger(workspace, automations):
    contact = contact_create(workspace=workspace, email="noconsent@example.com", list_ids=[automations["list"].id])
    assert contact.list_memberships.get().status == "unconfirmed"
    assert not AutomationRun.objects.filter(contact=contact, trigger="list_subscribed").exists()


def test_a4_archived_contacts_are_excluded_from_campaign_sends(workspace, admin_user, automations):
    kept, archived = make_contact(workspace), make_contact(workspace)
    for c in (kept, archived):
        subscribe(c, automations["list"])
    contacts_archive(workspace=workspace, contact_ids=[archived.id], actor=admin_user)

    assert campaign_send(workspace=workspace, mailing_list=automations["list"], subject="November news") == 1
    assert list(CampaignSend.objects.filter(subject="November news").values_list("contact_id", flat=True)) == [kept.id]


def test_a4_archived_contacts_start_no_automation(workspace, automations):
    archived = make_contact(workspace, status="archived", archived_at=days_ago(3))
    from contacts_app.automations import automations_fire

    assert automations_fire(workspace_id=workspace.id, trigger=Trigger.CONTACT_CREATED, contact_ids=[archived.id]) == 0
    assert not CampaignSend.objects.filter(contact=archived).exists()


def test_c2_cleaned_contacts_get_no_campaign_email(workspace, automations):
    cleaned = make_contact(workspace, email_status="cleaned")
    subscribe(cleaned, automations["list"])
    assert campaign_send(workspace=workspace, mailing_list=automations["list"], subject="News") == 0


def test_a4_archived_contact_cannot_be_subscribed_or_tagged(workspace, automations):
    archived = make_contact(workspace, status="archived", archived_at=days_ago(3))
    from contacts_app.lib.errors import Conflict

    with pytest.raises(Conflict):
        list_subscribe(contact=archived, mailing_list=automations["list"])
    with pytest.raises(Conflict):
        tag_add(contact=archived, tag=automations["tag"])
    assert not AutomationRun.objects.exists()
