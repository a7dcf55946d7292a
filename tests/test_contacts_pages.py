"""The pages a workspace admin or member clicks, and S1–S4 on them."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts_app.models import AuditEvent, Contact

from .factories import (
    make_account,
    make_contact,
    make_contacts,
    make_deal,
    make_list,
    make_member,
    make_tag,
    make_workspace,
    subscribe,
    tag,
)

pytestmark = pytest.mark.django_db


def url(name, workspace, *args):
    return reverse(f"contacts:{name}", args=[workspace.slug, *args])


def test_contacts_list_shows_active_contacts_with_search(admin_client, workspace):
    make_contact(workspace, email="ada@example.com", first_name="Ada", last_name="Lovelace")
    make_contact(workspace, email="bob@example.com", first_name="Bob")
    make_contact(workspace, email="old@example.com", status="archived", archived_at="2026-01-01T00:00Z")
    page = admin_client.get(url("list", workspace), {"q": "lovelace"}).content.decode()
    assert "ada@example.com" in page and "bob@example.com" not in page
    page = admin_client.get(url("list", workspace)).content.decode()
    assert "bob@example.com" in page and "old@example.com" not in page
    assert "Show archived contacts" in page


@pytest.mark.parametrize("typed", ["Ada Lovelace", "Lovelace Ada", "love ada", "  ADA   lovelace "])
def test_u1_a_name_is_found_whichever_order_its_words_are_typed(admin_client, workspace, typed):
    """ "Lovelace Ada" (surname first, as a CRM export lists them) found nobody."""
    make_contact(workspace, email="ada@example.com", first_name="Ada", last_name="Lovelace")
    make_contact(workspace, email="adam@example.com", first_name="Adam", last_name="Smith")
    page = admin_client.get(url("list", workspace), {"q": typed}).content.decode()
    assert "ada@example.com" in page and "adam@example.com" not in page


def test_contacts_list_runs_a_constant_number_of_queries_whatever_the_page_size(admin_client, workspace):
    accounts = [make_account(workspace) for _ in range(3)]
    make_contacts(workspace, 150)
    Contact.objects.filter(workspace=workspace).update(account=accounts[0])

    def queries(per_page):
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(url("list", workspace), {"per_page": per_page})
        assert response.status_code == 200
        assert response.content.decode().count('class="row-check"') == per_page
        return len(ctx.captured_queries)

    assert queries(25) == queries(100)


def test_contact_detail_shows_lists_tags_deals_and_created_date(admin_client, workspace):
    c = make_contact(workspace, email="d@example.com", account=make_account(workspace, "Initech"))
    subscribe(c, make_list(workspace, "Newsletter"), "unsubscribed")
    tag(c, make_tag(workspace, "vip"))
    make_deal(workspace, [c], title="Big renewal")
    page = admin_client.get(url("detail", workspace, c.id)).content.decode()
    for text in ("Newsletter", "Unsubscribed", "vip", "Big renewal", "Primary contact", "Initech", "Never archived"):
        assert text in page


def test_a1_admin_archives_selected_contacts_from_the_list(admin_client, workspace):
    a, b, keep = make_contact(workspace), make_contact(workspace), make_contact(workspace)
    response = admin_client.post(url("archive", workspace), {"ids": [a.id, b.id]}, follow=True)
    assert "Archived 2 contacts." in response.content.decode()
    assert set(Contact.objects.filter(status="archived").values_list("id", flat=True)) == {a.id, b.id}
    archived_page = admin_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()
    assert a.email in archived_page and keep.email not in archived_page


def test_a1_detail_page_shows_archive_history_after_archiving(admin_client, workspace, admin_user):
    c = make_contact(workspace)
    subscribe(c, make_list(workspace))
    admin_client.post(url("archive", workspace), {"ids": c.id})
    page = admin_client.get(url("detail", workspace, c.id)).content.decode()
    assert "1 list," in page and admin_user.username in page


def test_s1_member_sees_no_archive_button_and_gets_403_on_post(member_client, workspace):
    c = make_contact(workspace)
    page = member_client.get(url("list", workspace)).content.decode()
    assert "Archive selected" not in page and 'class="row-check"' not in page
    assert (
        "Archive"
        not in member_client.get(url("detail", workspace, c.id))
        .content.decode()
        .split("<main>")[1]
        .split("Archive history")[0]
    )
    assert member_client.post(url("archive", workspace), {"ids": c.id}).status_code == 403
    c.refresh_from_db()
    assert c.status == "active"


def test_s1_anonymous_user_is_sent_to_login(client, workspace):
    response = client.get(url("list", workspace))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(url("archive", workspace), {"ids": 1})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_s2_contact_of_another_workspace_is_404(admin_client, workspace, other_workspace):
    theirs = make_contact(other_workspace)
    assert admin_client.get(url("detail", workspace, theirs.id)).status_code == 404
    assert admin_client.get(url("detail", other_workspace, theirs.id)).status_code == 404


def test_s2_workspace_the_user_does_not_belong_to_is_404(admin_client, other_workspace):
    make_contact(other_workspace, email="secret@globex.example")
    response = admin_client.get(url("list", other_workspace))
    assert response.status_code == 404 and "secret@globex.example" not in response.content.decode()


def test_s2_archiving_another_workspace_id_changes_nothing(admin_client, workspace, other_workspace):
    theirs = make_contact(other_workspace)
    response = admin_client.post(url("archive", workspace), {"ids": theirs.id}, follow=True)
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == "active" and not AuditEvent.objects.exists()


def test_s3_get_never_changes_anything(admin_client, workspace):
    c = make_contact(workspace)
    assert admin_client.get(url("archive", workspace), {"ids": c.id}).status_code == 405
    c.refresh_from_db()
    assert c.status == "active"


def test_s3_archive_post_requires_csrf_token(workspace, admin_user):
    c = make_contact(workspace)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(url("archive", workspace), {"ids": c.id}).status_code == 403
    c.refresh_from_db()
    assert c.status == "active"


@pytest.mark.parametrize(
    "ids, message",
    [
        ([], "Select at least one contact"),
        (["abc"], "is not a valid contact id"),
        (["-4"], "is not a valid contact id"),
    ],
)
def test_s4_bad_selection_gets_a_clear_400_and_changes_nothing(admin_client, workspace, ids, message):
    make_contact(workspace)
    response = admin_client.post(url("archive", workspace), {"ids": ids})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Contact.objects.filter(status="archived").exists()


def test_s4_oversized_selection_is_refused(admin_client, workspace, settings):
    settings.MAX_SELECTION_SIZE = 3
    response = admin_client.post(url("archive", workspace), {"ids": "1,2,3,4"})
    assert response.status_code == 400 and "at most 3" in response.content.decode()


def test_s4_bad_page_size_is_a_400_with_a_message(admin_client, workspace):
    response = admin_client.get(url("list", workspace), {"per_page": "1e9"})
    assert response.status_code == 400 and "Page size must be one of" in response.content.decode()
    # Typed in the address bar (no page to go back to): the way out is the same list, not the home page.
    assert f'href="{url("list", workspace)}" id="go-back"' in response.content.decode()


def test_s4_nonsense_page_number_still_shows_a_page(admin_client, workspace):
    make_contact(workspace)
    assert admin_client.get(url("list", workspace), {"page": "zzz"}).status_code == 200


def test_b1_being_over_the_plan_is_a_warning_on_the_contacts_page(admin_client, workspace):
    workspace.contact_limit = 2
    workspace.save()
    make_contacts(workspace, 5)
    html = admin_client.get(url("list", workspace)).content.decode()
    assert 'class="over-plan" id="plan-usage">5 billable of 2 in your plan — over by 3<' in html
    workspace.contact_limit = 10
    workspace.save()
    html = admin_client.get(url("list", workspace)).content.decode()
    assert 'class="subtle" id="plan-usage">5 billable of 10 in your plan<' in html and "over by" not in html


def test_seed_demo_gives_a_plan_with_headroom_and_a_workspace_near_its_limit(settings):
    from django.core.management import call_command

    from contacts_app.models import Workspace
    from restore.services.preview import restore_preview
    from restore.services.selection import selection_from_queryset

    settings.DEBUG = True  # the demo's own setting (seed_demo refuses otherwise: S6)
    call_command("seed_demo", verbosity=0)
    for slug, confirmation in (("acme", False), ("globex", True)):
        ws = Workspace.objects.get(slug=slug)
        archived = Contact.objects.filter(workspace=ws, status="archived")
        preview = restore_preview(
            selection=selection_from_queryset(workspace=ws, queryset=archived, description={}), details=False
        )
        assert preview.restorable and preview.needs_confirmation is confirmation, slug


def test_workspace_switcher_lists_only_the_users_other_workspaces_and_keeps_the_page(
    admin_client, admin_user, workspace, other_workspace
):
    """An admin of two workspaces moves between them from the top bar, landing on the
    same list; a workspace the user does not belong to is never offered (S2)."""
    make_member(other_workspace, user=admin_user)
    stranger = make_workspace(name="Someone Else Inc")
    page = admin_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()
    assert 'class="switcher"' in page
    assert f'href="{reverse("restore:archived", args=[other_workspace.slug])}"' in page
    assert stranger.name not in page
    # A page about one object (a contact) sends the switch to the other workspace's Contacts.
    c = make_contact(workspace)
    page = admin_client.get(url("detail", workspace, c.id)).content.decode()
    assert f'href="{reverse("contacts:list", args=[other_workspace.slug])}"' in page


def test_workspace_switcher_is_absent_for_a_user_of_one_workspace(admin_client, workspace):
    page = admin_client.get(url("list", workspace)).content.decode()
    assert 'class="switcher"' not in page and workspace.name in page


def test_workspace_switcher_shows_at_most_twenty_workspaces(admin_client, admin_user, workspace):
    """A support user in hundreds of workspaces gets a short menu, not a page of links
    rendered on every page view (it cost 30 ms a page with 1,000 workspaces: P5)."""
    for k in range(25):
        make_member(make_workspace(name=f"Other {k:02d}"), user=admin_user)
    page = admin_client.get(url("list", workspace)).content.decode()
    menu = page.split('class="switcher"')[1].split("</details>")[0]
    assert menu.count("<li>") == 20 and "Other 00" in menu and "Other 24" not in menu


@pytest.mark.parametrize("digit", ["²", "١٢", "１", "-1", "0", "1e3", " 5"])
def test_s4_non_ascii_or_odd_digits_in_page_parameters_are_a_400_or_the_first_page_never_a_500(
    admin_client, workspace, digit
):
    """`str.isdigit` accepts "²" (then int() raises: a 500) and "١٢" (read as 12)."""
    from django.urls import reverse

    make_contacts(workspace, 3)
    for name in ("contacts:list", "restore:archived", "cleaned:list", "activity"):
        url = reverse(name, args=[workspace.slug])
        assert admin_client.get(url, {"per_page": digit}).status_code == 400, (name, digit)
        assert admin_client.get(url, {"page": digit}).status_code in (200, 400), (name, digit)
    assert admin_client.get(reverse("contacts:new", args=[workspace.slug]), {"from": digit}).status_code == 200


@pytest.mark.parametrize("digit", ["²", "١٢", "１"])
def test_s4_non_ascii_digits_in_ticked_ids_are_refused_and_nobody_is_archived(admin_client, workspace, digit):
    from django.urls import reverse

    contacts = make_contacts(workspace, 12)
    response = admin_client.post(reverse("contacts:archive", args=[workspace.slug]), {"ids": digit})
    assert response.status_code == 400
    assert Contact.objects.filter(id__in=[c.id for c in contacts], status="archived").count() == 0


@pytest.mark.parametrize("name", ["contacts:list", "restore:archived", "cleaned:list"])
def test_u6_a_list_past_1000_is_browsed_to_its_last_contact_with_next_and_counted_on_request(
    admin_client, workspace, name
):
    """1,806 contacts: the footer said "1,000 contacts+ · page 20 of 20+" and page 21
    showed page 20 again; the oldest 806 could not be reached."""
    from tests.restore_helpers import archive

    kw = {"email_status": "cleaned"} if name == "cleaned:list" else {}
    people = make_contacts(workspace, 1806, **kw)
    if name == "restore:archived":
        archive(workspace, people)
    first = reverse(name, args=[workspace.slug])
    page = admin_client.get(first, {"per_page": 100}).content.decode()
    assert "1,000+" in page and "page 1 of" not in page and "Count them all" in page
    seen, url_ = set(), f"{first}?per_page=100"
    for _ in range(30):  # follow "Next" as a person would
        response = admin_client.get(url_)
        html = response.content.decode()
        seen |= {p.email for p in people if p.email in html}
        nxt = re.search(r'href="([^"]+)" rel="next"', html)
        if not nxt:
            break
        url_ = first + unescape(nxt.group(1))
    assert len(seen) == 1806  # every contact, the oldest included
    assert "page 19" in html and 'rel="prev"' in html
    with CaptureQueriesContext(connection) as deep:
        assert admin_client.get(first, {"per_page": 100, "page": 15}).status_code == 200
    with CaptureQueriesContext(connection) as shallow:
        assert admin_client.get(first, {"per_page": 100, "page": 2}).status_code == 200
    assert len(deep.captured_queries) == len(shallow.captured_queries)  # no count past the cap
    past = admin_client.get(first, {"per_page": 100, "page": 40}).content.decode()
    assert 'rel="prev"' in past and 'rel="next"' not in past and "page 40" in past
    exact = admin_client.get(first, {"per_page": 100, "page": 3, "count": "exact"}).content.decode()
    assert "1,806" in exact and "page 3 of 19" in exact and "1,806+" not in exact


@pytest.mark.parametrize("name", ["contacts:archive_confirm", "cleaned:archive_confirm", "restore:preview"])
def test_u1_a_post_only_page_opened_by_a_link_is_a_page_with_a_way_on(admin_client, workspace, name):
    """ "Go back" to a confirmation, or the language switch on a preview, gave a blank 405."""
    response = admin_client.get(reverse(name, args=[workspace.slug]))
    page = response.content.decode()
    assert response.status_code == 405 and 'id="method-not-allowed"' in page and "nothing was changed" in page
    assert f'href="/w/{workspace.slug}/' in page and response["Allow"]


def test_u1_a_running_job_page_refreshes_itself_without_javascript(admin_client, workspace, admin_user):
    from restore.services.jobs import restore_job_create
    from restore.services.selection import selection_from_ids
    from tests.restore_helpers import archive, run_job_inline

    people = make_contacts(workspace, 3)
    archive(workspace, people, actor=admin_user)
    job = restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=[c.id for c in people]), actor=admin_user
    )
    page = admin_client.get(reverse("restore:job", args=[workspace.slug, job.number])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    run_job_inline(job)
    page = admin_client.get(reverse("restore:job", args=[workspace.slug, job.number])).content.decode()
    assert 'http-equiv="refresh"' not in page  # finished: nothing to wait for


def test_u6_searching_an_archived_contacts_address_says_so_and_links_to_it(admin_client, workspace, admin_user):
    from tests.restore_helpers import archive

    ada = make_contact(workspace, email="ada@example.com")
    archive(workspace, [ada], actor=admin_user)
    page = admin_client.get(url("list", workspace), {"q": "ada@example.com"}).content.decode()
    assert "No contact matches" in page and "An archived contact has it" in page
    assert f'href="/w/{workspace.slug}/contacts/{ada.id}/"' in page


def test_s1_u1_the_403_page_keeps_the_workspaces_top_bar(member_client, workspace):
    response = member_client.get(reverse("activity", args=[workspace.slug]))
    page = response.content.decode()
    assert response.status_code == 403 and f'href="/w/{workspace.slug}/contacts/"' in page
    assert f'href="/w/{workspace.slug}/contacts/archived/"' in page  # the top bar's links


def test_c6_a_new_contact_can_join_the_workspaces_lists_and_tags(admin_client, workspace, other_workspace):
    news, vip = make_list(workspace, "Newsletter"), make_tag(workspace, "VIP")
    make_list(other_workspace, "Theirs")
    page = admin_client.get(url("new", workspace)).content.decode()
    assert "Newsletter" in page and "VIP" in page and "Theirs" not in page
    response = admin_client.post(
        url("new", workspace), {"email": "new@example.com", "consent": "on", "lists": [news.id], "tags": [vip.id]}
    )
    assert response.status_code == 302
    contact = Contact.objects.get(email="new@example.com")
    assert list(contact.list_memberships.values_list("mailing_list_id", flat=True)) == [news.id]
    assert list(contact.tags.values_list("id", flat=True)) == [vip.id]


def test_a1_a_contact_is_found_by_its_phone_number(admin_client, workspace):
    from django.urls import reverse

    make_contact(workspace, email="ines@example.com", phone="+33 6 34 93 93 71")
    make_contact(workspace, email="bob@example.com", phone="+1 555 0100")
    for typed in ("6 34 93", "+33634939371", "0634939371", "06 34 93 93 71", "06.34.93.93.71"):
        page = admin_client.get(reverse("contacts:list", args=[workspace.slug]), {"q": typed}).content.decode()
        assert "ines@example.com" in page and "bob@example.com" not in page, typed
    by_name = admin_client.get(reverse("contacts:list", args=[workspace.slug]), {"q": "bob"}).content.decode()
    assert "bob@example.com" in by_name  # a word is still a name or an address


def test_u6_searching_a_merged_duplicates_address_says_it_was_merged(admin_client, workspace):
    from django.urls import reverse

    from .factories import days_ago

    dup = make_contact(workspace, email="ada.old@example.com", status="merged", archived_at=days_ago(3))
    page = admin_client.get(reverse("contacts:list", args=[workspace.slug]), {"q": "ada.old"}).content.decode()
    assert "No contact matches" in page and "It was merged into another contact" in page
    assert f'href="/w/{workspace.slug}/contacts/{dup.id}/"' in page


def test_u6_a_merged_contacts_page_says_merged_not_archived_and_lists_say_when_joined(admin_client, workspace):
    """A merged contact's page said "Archived May 9", then "Never archived", and the
    contact it was merged into did not say so; a list's
    "Since" was the joining date, not when the status changed."""
    from django.urls import reverse

    from .factories import days_ago

    dup = make_contact(workspace, email="dup@example.com", status="merged", archived_at=days_ago(3))
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, dup.id])).content.decode()
    assert "<dt>Merged</dt>" in page and "<dt>Archived</dt>" not in page
    assert "Never archived" not in page and "a merge keeps no archive snapshot" in page
    from contacts_app.services.merge import contacts_merge

    kept, twin = make_contact(workspace, email="kept@example.com"), make_contact(workspace, email="twin@example.com")
    contacts_merge(workspace=workspace, survivor_id=kept.id, duplicate_id=twin.id)
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, kept.id])).content.decode()
    merged = page[page.index('id="merged-from"') :].split("</table>")[0]  # the survivor names what it absorbed
    assert f'href="/w/{workspace.slug}/contacts/{twin.id}/">twin@example.com</a>' in merged
    ada = make_contact(workspace, email="ada@example.com")
    from .factories import make_list, subscribe

    subscribe(ada, make_list(workspace), "subscribed")
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, ada.id])).content.decode()
    assert "<th>Joined</th>" in page and "<th>Since</th>" not in page


def test_u6_a_list_has_first_and_last_links_and_a_page_past_the_end_is_the_last(admin_client, workspace, monkeypatch):
    """With 1,790 contacts there was only "Next →": 36 clicks to the oldest; a page
    number too long to read showed page 1."""
    from html import unescape

    from django.urls import reverse

    from contacts_app.web.pagination import CappedPaginator

    make_contacts(workspace, 60)
    url = reverse("contacts:list", args=[workspace.slug])
    first = unescape(admin_client.get(url, {"per_page": 25}).content.decode())
    assert 'id="page-last"' in first and "page=3" in first and 'id="page-first"' not in first
    for asked in ("last", "99999999999999999999", "3"):
        last = unescape(admin_client.get(url, {"per_page": 25, "page": asked}).content.decode())
        assert "page 3 of 3" in last and 'id="page-first"' in last and 'id="page-last"' not in last, asked
    monkeypatch.setattr(CappedPaginator, "cap", 30)  # past the cap the count is not known: Last counts first
    capped = unescape(admin_client.get(url, {"per_page": 25}).content.decode())
    assert "30+ contacts" in capped and "count=exact" in capped.split('id="page-last"')[0].rsplit("<a", 1)[1]
    end = unescape(admin_client.get(url, {"per_page": 25, "page": "last", "count": "exact"}).content.decode())
    assert "page 3 of 3" in end


def test_s2_the_archive_confirmation_counts_only_this_workspaces_active_contacts(
    admin_client, workspace, other_workspace
):
    from django.urls import reverse

    theirs = make_contact(other_workspace, email="theirs@example.com")
    ours = make_contact(workspace, email="ours@example.com")
    url = reverse("contacts:archive_confirm", args=[workspace.slug])
    page = admin_client.post(url, {"ids": [theirs.id]}).content.decode()
    assert "Select the contacts to archive first" in page and "Archive 1 contact" not in page
    page = admin_client.post(url, {"ids": [theirs.id, ours.id]}).content.decode()
    assert "Archive ours@example.com?" in page and "theirs@example.com" not in page


def test_s4_a_download_in_an_unknown_format_is_refused(admin_client, workspace):
    from django.urls import reverse

    response = admin_client.get(reverse("activity", args=[workspace.slug]), {"format": "pdf"})
    assert response.status_code == 400 and "CSV or Excel" in response.content.decode()


def test_u5_an_archived_contacts_page_says_when_it_goes_for_good_and_leads_back_to_the_archived_list(
    admin_client, workspace
):
    """The list warned "deleted for good in the next 30 days"; the contact's own page
    only gave a range, and offered no way back to the archived list."""
    from django.urls import reverse

    from .restore_helpers import archive

    soon, later = make_contact(workspace, email="soon@example.com"), make_contact(workspace, email="later@example.com")
    archive(workspace, [soon], days=360)
    archive(workspace, [later], days=40)
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, soon.id])).content.decode()
    assert 'id="deleted-soon"' in page and "Deleted for good on" in page
    assert f'href="/w/{workspace.slug}/contacts/archived/" id="back-to-archived"' in page
    assert f'href="/w/{workspace.slug}/contacts/archived/" class="current"' in page
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, later.id])).content.decode()
    assert 'id="deleted-soon"' not in page and 'id="back-to-archived"' in page


def test_u6_a_merged_contacts_page_says_who_merged_it(admin_client, workspace, admin_user):
    """The merge recorded no one: the duplicate's page could not say who took it off the list."""
    from contacts_app.services.merge import contacts_merge

    kept, twin = make_contact(workspace, email="kept@example.com"), make_contact(workspace, email="twin@example.com")
    contacts_merge(workspace=workspace, survivor_id=kept.id, duplicate_id=twin.id, actor=admin_user)
    page = admin_client.get(url("detail", workspace, twin.id)).content.decode()
    facts = page[page.index("<dt>Merged</dt>") :].split("</dd>")[0]
    assert f"by {admin_user.username}" in facts


def test_c2_a_cleaned_contact_reads_as_cleaned_not_active_and_cleaned(admin_client, workspace):
    """The list and the contact page showed "Active" and "Cleaned" side by side."""
    bounced = make_contact(workspace, email="gone@example.com", email_status="cleaned")
    make_contact(workspace, email="fine@example.com")
    listed = admin_client.get(url("list", workspace)).content.decode()
    row = listed[listed.index("gone@example.com") :].split("</tr>")[0]
    assert "badge cleaned" in row and "badge active" not in row
    assert "badge active" in listed[listed.index("fine@example.com") :].split("</tr>")[0]
    head = admin_client.get(url("detail", workspace, bounced.id)).content.decode().split("</h1>")[1][:400]
    assert "badge cleaned" in head and "badge active" not in head


def test_a2_an_archived_contacts_page_says_its_lists_are_kept_in_its_archive(admin_client, workspace):
    """An archived contact's page said "On no list" and "No tags" above an archive
    history that said "2 lists, 2 tags": which was true?"""
    from .restore_helpers import archive

    ada = make_contact(workspace, email="ada@example.com")
    subscribe(ada, make_list(workspace), "subscribed")
    tag(ada, make_tag(workspace))
    archive(workspace, [ada], days=40)
    page = admin_client.get(url("detail", workspace, ada.id)).content.decode()
    assert "On no list." not in page and "No tags." not in page and "On no deal." not in page
    assert 'id="kept-in-archive"' in page and "come back when it is restored" in page
    assert "1 list" in page and "1 tag" in page  # what the archive kept
