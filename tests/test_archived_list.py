"""The archived list page: every filter, select-all-matching, S1/S4, constant queries."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts_app.services.archive import contacts_archive
from contacts_app.services.merge import contacts_merge
from restore.models import RestoreJob

from .factories import (
    days_ago,
    make_account,
    make_contact,
    make_contacts,
    make_list,
    make_tag,
    subscribe,
    tag,
)
from .restore_helpers import archive

pytestmark = pytest.mark.django_db


def page_emails(client, workspace, **params) -> set[str]:
    response = client.get(reverse("restore:archived", args=[workspace.slug]), params)
    assert response.status_code == 200, response.content[:500]
    import re

    return set(re.findall(r"aria-label=\"Select ([^\"]+@[^\"]+)\"", response.content.decode()))


@pytest.fixture
def population(workspace):
    acct, newsletter, vip = (
        make_account(workspace, "Initech"),
        make_list(workspace, "Newsletter"),
        make_tag(workspace, "vip"),
    )
    ready = make_contact(workspace, email="ready@example.com", first_name="Rita", account=acct)
    subscribe(ready, newsletter)
    tag(ready, vip)
    archive(workspace, [ready], days=40)
    frozen = make_contact(workspace, email="frozen@example.com")
    archive(workspace, [frozen], days=5)
    expiring = make_contact(workspace, email="expiring@example.com", email_status="cleaned")
    archive(workspace, [expiring], days=350)
    expired = make_contact(workspace, email="expired@example.com")
    archive(workspace, [expired], days=370)
    survivor, dup = (
        make_contact(workspace, email="survivor@example.com"),
        make_contact(workspace, email="dup@example.com"),
    )
    contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id)
    make_contact(workspace, email="active@example.com")
    return {"list": newsletter, "tag": vip, "account": acct}


ALL = {"ready@example.com", "frozen@example.com", "expiring@example.com", "expired@example.com", "dup@example.com"}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ALL),
        ({"q": "rita"}, {"ready@example.com"}),
        ({"restorable": "yes"}, {"ready@example.com", "expiring@example.com"}),
        ({"restorable": "frozen"}, {"frozen@example.com"}),
        ({"restorable": "expiring"}, {"expiring@example.com"}),
        ({"restorable": "expired"}, {"expired@example.com"}),
        ({"restorable": "merged"}, {"dup@example.com"}),
        ({"email_status": "cleaned"}, {"expiring@example.com"}),
        ({"email_status": "ok"}, ALL - {"expiring@example.com"}),
    ],
)
def test_archived_list_filters(admin_client, workspace, population, params, expected):
    assert page_emails(admin_client, workspace, **params) == expected


def test_archived_list_filters_by_date_range(admin_client, workspace, population):
    from .factories import days_ago

    after, before = days_ago(41).date().isoformat(), days_ago(39).date().isoformat()
    assert page_emails(admin_client, workspace, archived_after=after, archived_before=before) == {"ready@example.com"}


@pytest.mark.parametrize("key", ["list", "tag", "account"])
def test_archived_list_filters_by_what_the_contact_had_when_archived(admin_client, workspace, population, key):
    assert page_emails(admin_client, workspace, **{key: population[key].id}) == {"ready@example.com"}


@pytest.mark.parametrize("key", ["list", "tag", "account"])
def test_restore_moves_a_contact_from_what_it_had_to_what_it_has_in_the_list_tag_account_filters(
    admin_client, workspace, population, key
):
    from contacts_app.filters import ContactFilter
    from contacts_app.models import Contact

    from .restore_helpers import restore_now

    still = make_contact(workspace, email="still-archived@example.com", account=population["account"])
    subscribe(still, population["list"])
    tag(still, population["tag"])
    archive(workspace, [still], days=40)
    restore_now(workspace, [Contact.objects.get(workspace=workspace, email="ready@example.com")])

    assert page_emails(admin_client, workspace, **{key: population[key].id}) == {"still-archived@example.com"}
    # Everywhere else (the contacts API) the filter means "has it now, or had it when archived".
    everyone = ContactFilter({key: population[key].id}, workspace=workspace).qs_or_error()
    assert set(everyone.values_list("email", flat=True)) == {"ready@example.com", "still-archived@example.com"}


@pytest.mark.parametrize(
    "params", [{"archived_after": "yesterday"}, {"restorable": "soon"}, {"list": "999999"}, {"per_page": "7"}]
)
def test_s4_bad_filter_values_get_a_clear_400(admin_client, workspace, population, params):
    response = admin_client.get(reverse("restore:archived", args=[workspace.slug]), params)
    assert response.status_code == 400 and (
        "not valid" in response.content.decode() or "Page size" in response.content.decode()
    )


def test_s2_another_workspace_list_id_is_refused_and_its_contacts_never_listed(
    admin_client, workspace, other_workspace
):
    theirs = make_contact(other_workspace, email="secret@globex.example")
    archive(other_workspace, [theirs], days=40)
    foreign = make_list(other_workspace)
    assert "secret@globex.example" not in page_emails(admin_client, workspace)
    assert admin_client.get(reverse("restore:archived", args=[workspace.slug]), {"list": foreign.id}).status_code == 400


def test_archived_list_is_sorted_by_archived_date_both_ways(admin_client, workspace, population):
    url = reverse("restore:archived", args=[workspace.slug])
    newest_first = admin_client.get(url).content.decode()
    oldest_first = admin_client.get(url, {"sort": "archived"}).content.decode()
    assert newest_first.index("dup@example.com") < newest_first.index("expired@example.com")
    assert oldest_first.index("expired@example.com") < oldest_first.index("dup@example.com")


def test_archived_list_runs_a_constant_number_of_queries_whatever_the_page_size(admin_client, workspace):
    survivor = make_contact(workspace)
    contacts = make_contacts(workspace, 120)
    archive(workspace, contacts[:110], days=40)
    for dup in contacts[110:]:
        contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id)

    def queries(per_page):
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(
                reverse("restore:archived", args=[workspace.slug]), {"per_page": per_page, "sort": "archived"}
            )
        assert response.content.decode().count('class="row-check"') == per_page
        return len(ctx.captured_queries)

    queries(25)  # the first view counts the purge forecast; the next ones read it from the cache (P5)
    assert queries(25) == queries(100)


def test_p5_the_purge_forecast_is_counted_once_a_minute_not_on_every_view(admin_client, workspace):
    archive(workspace, make_contacts(workspace, 3), days=350)
    url = reverse("restore:archived", args=[workspace.slug])

    def forecast_counts() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = admin_client.get(url).content.decode()
        assert "3 archived contacts will be deleted for good in the next 30 days" in unescape(page)
        return sum('"archived_at" <=' in q["sql"] and "COUNT(*)" in q["sql"] for q in ctx.captured_queries)

    assert forecast_counts() == 1
    assert forecast_counts() == 0 and forecast_counts() == 0


def test_select_all_matching_restores_the_filter_resolved_on_the_server(admin_client, workspace, admin_user):
    newsletter = make_list(workspace, "Newsletter")
    wanted = make_contacts(workspace, 70)
    for c in wanted:
        subscribe(c, newsletter)
    others = make_contacts(workspace, 5)
    archive(workspace, wanted + others, days=40)
    response = admin_client.post(
        reverse("restore:start", args=[workspace.slug]),
        {"select_all": "1", "filter": f"list={newsletter.id}&page=2", "ids": [others[0].id]},
    )
    job = RestoreJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/restore-jobs/{job.number}/")
    assert job.requested == 70 and job.selection == {"filter": {"list": str(newsletter.id)}}
    assert set(job.items.values_list("contact_id", flat=True)) == {c.id for c in wanted}


def test_preview_fragment_lists_skips_and_billing(admin_client, workspace):
    ok, frozen = make_contact(workspace), make_contact(workspace)
    archive(workspace, [ok], days=40)
    archive(workspace, [frozen], days=3)
    response = admin_client.post(
        reverse("restore:preview", args=[workspace.slug]), {"ids": [ok.id, frozen.id]}, HTTP_X_FRAGMENT="1"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "1 — Archived less than 30 days ago" in html and "Restore 1 contact" in html


def test_r4_second_restore_from_the_page_is_sent_to_the_running_job(admin_client, workspace):
    a, b = make_contact(workspace), make_contact(workspace)
    archive(workspace, [a, b], days=40)
    url = reverse("restore:start", args=[workspace.slug])
    admin_client.post(url, {"ids": [a.id]})
    first = RestoreJob.objects.get()
    response = admin_client.post(url, {"ids": [b.id]}, follow=True)
    assert RestoreJob.objects.count() == 1
    assert "Only one restore can run at a time" in response.content.decode()
    page = admin_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()
    assert f"/restore-jobs/{first.number}/" in page and "one at a time" in page


def test_b3_over_limit_restore_from_the_page_without_confirmation_is_refused(admin_client, workspace):
    workspace.contact_limit = 1
    workspace.save()
    c = make_contact(workspace)
    archive(workspace, [c], days=40)
    response = admin_client.post(reverse("restore:start", args=[workspace.slug]), {"ids": [c.id]})
    assert response.status_code == 409 and "Confirm the restore" in response.content.decode()
    assert not RestoreJob.objects.exists()
    admin_client.post(reverse("restore:start", args=[workspace.slug]), {"ids": [c.id], "confirm_overage": "1"})
    assert RestoreJob.objects.count() == 1


def test_r12_modal_shows_counts_at_once_and_loads_what_will_not_come_back_for_the_same_selection(
    admin_client, workspace
):
    gone, kept = make_list(workspace, "Spring promo"), make_list(workspace, "Newsletter")
    contacts = make_contacts(workspace, 3)
    for c in contacts:
        subscribe(c, gone)
        subscribe(c, kept)
    archive(workspace, contacts, days=40)
    gone.delete()
    post = {"select_all": "1", "filter": f"list={kept.id}"}

    modal = admin_client.post(
        reverse("restore:preview", args=[workspace.slug]), post, HTTP_X_FRAGMENT="1"
    ).content.decode()
    assert 'data-testid="will-restore">3<' in modal and "Spring promo" not in modal
    assert reverse("restore:preview_details", args=[workspace.slug]) in modal
    details = admin_client.post(reverse("restore:preview_details", args=[workspace.slug]), post)
    assert details.status_code == 200
    assert (
        "List “Spring promo” (3 contacts)" in details.content.decode() and "Newsletter" not in details.content.decode()
    )
    # Without JavaScript the preview page shows both at once.
    page = admin_client.post(reverse("restore:preview", args=[workspace.slug]), post).content.decode()
    assert "List “Spring promo” (3 contacts)" in page


def test_s1_member_gets_403_on_restore_posts_and_sees_no_restore_controls(member_client, workspace):
    c = make_contact(workspace)
    archive(workspace, [c], days=40)
    for name in ("restore:preview", "restore:preview_details", "restore:start"):
        assert member_client.post(reverse(name, args=[workspace.slug]), {"ids": [c.id]}).status_code == 403
    page = member_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()
    assert "Restore" not in page.split("<main>")[1].split("</main>")[0].replace("Restore jobs", "")
    assert "Only workspace admins can restore or erase contacts" in page  # why there is no button, and whom to ask
    assert not RestoreJob.objects.exists()


def test_s3_restore_start_requires_post(admin_client, workspace):
    assert admin_client.get(reverse("restore:start", args=[workspace.slug])).status_code == 405


def test_r7_find_restored_contacts_shows_exactly_the_jobs_restored_contacts(admin_client, workspace, admin_user):
    from restore.services.jobs import restore_job_create
    from restore.services.selection import selection_from_ids

    from .restore_helpers import run_job_inline

    restored = make_contact(workspace, email="came-back@example.com")
    make_contact(workspace, email="always@example.com")  # active all along: not in the job
    archive(workspace, [restored], days=40)
    job = restore_job_create(selection=selection_from_ids(workspace=workspace, ids=[restored.id]), actor=admin_user)
    run_job_inline(job)
    restored_url = reverse("restore:restored_contacts", args=[workspace.slug, job.number])
    html = admin_client.get(restored_url).content.decode()
    assert "came-back@example.com" in html and "always@example.com" not in html
    detail = admin_client.get(reverse("restore:job", args=[workspace.slug, job.number])).content.decode()
    assert "Find restored contacts" in detail and f'href="{restored_url}"' in detail


def test_was_on_list_means_when_last_archived_not_in_an_earlier_archiving(admin_client, workspace, admin_user):
    from contacts_app.models import ListMembership

    from .restore_helpers import restore_now

    old_list, new_list = make_list(workspace, "Old"), make_list(workspace, "New")
    c = make_contact(workspace, email="twice@example.com")
    subscribe(c, old_list)
    archive(workspace, [c], days=40)
    restore_now(workspace, [c])
    ListMembership.objects.filter(contact=c, mailing_list=old_list).delete()
    subscribe(c, new_list)
    contacts_archive(workspace=workspace, contact_ids=[c.id], actor=admin_user)

    assert page_emails(admin_client, workspace, list=new_list.id) == {"twice@example.com"}
    assert page_emails(admin_client, workspace, list=old_list.id) == set()
    assert c.archive_records.count() == 2  # the earlier snapshot is kept as history


def test_p2_big_lists_show_a_capped_count_but_select_all_takes_every_match(admin_client, workspace, settings):
    from contacts_app.models import Contact
    from contacts_app.web.pagination import COUNT_CAP

    from .factories import days_ago

    contacts = make_contacts(workspace, COUNT_CAP + 5)
    Contact.objects.filter(id__in=[c.id for c in contacts]).update(status="archived", archived_at=days_ago(40))
    page = admin_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()
    assert f"{COUNT_CAP:,}+ in total" in page
    response = admin_client.post(
        reverse("restore:preview", args=[workspace.slug]), {"select_all": "1", "filter": ""}, HTTP_X_FRAGMENT="1"
    )
    assert f"{COUNT_CAP + 5:,}" in response.content.decode()  # the preview counts them all


@pytest.mark.parametrize("sort", ["-archived", "archived"])
def test_p2_a_tag_only_long_archived_contacts_had_lists_them_in_date_order(admin_client, workspace, monkeypatch, sort):
    """The page sorts the matches itself when they are not among the newest rows
    (DATE_ORDER_PROBE, made small here); the order must be the same either way."""
    from restore import selectors

    monkeypatch.setattr(selectors, "DATE_ORDER_PROBE", 3)
    cohort = make_tag(workspace, "webinar-2025")
    for day in (300, 310, 320, 330):
        c = make_contact(workspace, email=f"old-{day}@example.com")
        tag(c, cohort)
        archive(workspace, [c], days=day)
    for day in (40, 41, 42, 43, 44):
        archive(workspace, [make_contact(workspace, email=f"recent-{day}@example.com")], days=day)

    response = admin_client.get(
        reverse("restore:archived", args=[workspace.slug]), {"tag": cohort.id, "sort": sort, "per_page": 25}
    )
    import re

    shown = re.findall(r"aria-label=\"Select ([^\"]+@[^\"]+)\"", response.content.decode())
    newest_first = ["old-300@example.com", "old-310@example.com", "old-320@example.com", "old-330@example.com"]
    assert shown == (newest_first if sort == "-archived" else newest_first[::-1])


# --- R12 / B3: what the preview says, and no job that restores nobody ------------------------


def test_r12_a_selection_with_nothing_restorable_is_refused_and_creates_no_job(
    admin_client, workspace, other_workspace
):
    frozen, merged_into = (
        make_contact(workspace, email="frozen@example.com"),
        make_contact(workspace, email="keep@example.com"),
    )
    archive(workspace, [frozen], days=3)
    dup = make_contact(workspace, email="dup@example.com")
    contacts_merge(workspace=workspace, survivor_id=merged_into.id, duplicate_id=dup.id)
    theirs = make_contact(other_workspace, email="theirs@example.com")
    archive(other_workspace, [theirs], days=40)
    url = reverse("restore:start", args=[workspace.slug])
    for ids in ([frozen.id], [dup.id], [theirs.id], [frozen.id, dup.id, theirs.id]):
        response = admin_client.post(url, {"ids": ids, "confirm_overage": "1"})
        assert response.status_code == 400, ids
        assert "None of the selected contacts can be restored now" in response.content.decode()
    page = admin_client.post(url, {"ids": [frozen.id]}).content.decode()
    assert "can be restored from" in page and (frozen_from := lifecycle_date(frozen)) in page, frozen_from
    assert not RestoreJob.objects.exists()


def lifecycle_date(contact) -> str:
    from contacts_app.lifecycle import restorable_from

    contact.refresh_from_db()
    return restorable_from(contact.archived_at).strftime("%b %-d, %Y")


def test_r12_frozen_only_preview_says_from_when_and_offers_no_confirmation(admin_client, workspace):
    frozen = make_contact(workspace)
    archive(workspace, [frozen], days=3)
    html = admin_client.post(
        reverse("restore:preview", args=[workspace.slug]), {"ids": [frozen.id]}, HTTP_X_FRAGMENT="1"
    ).content.decode()
    assert "Nothing to restore" in html and "Restore 1 contact?" not in html
    assert "After restoring you will have" not in html and 'id="confirm-restore"' not in html
    assert "can be restored from" in html and lifecycle_date(frozen) in html


def test_b3_overage_sentence_says_by_how_many_contacts(admin_client, workspace):
    workspace.contact_limit = 10
    workspace.save()
    make_contacts(workspace, 9)
    archived = make_contacts(workspace, 4)
    archive(workspace, archived, days=40)
    html = admin_client.post(
        reverse("restore:preview", args=[workspace.slug]), {"ids": [c.id for c in archived]}, HTTP_X_FRAGMENT="1"
    ).content.decode()
    assert "over your plan limit</strong> by 3 contacts." in html and "−" not in html


def test_u5_archived_list_forecasts_the_purge_links_to_those_contacts_and_exports_them(
    admin_client, workspace, member_client
):
    from cleaned.models import ExportJob

    soon = [make_contact(workspace, email=f"soon-{i}@example.com") for i in range(2)]
    archive(workspace, soon, days=350)  # deleted in 15 days
    later = make_contact(workspace, email="later@example.com")
    archive(workspace, [later], days=200)
    merged = make_contact(workspace, email="merged-long-ago@example.com", status="merged", archived_at=days_ago(340))
    url = reverse("restore:archived", args=[workspace.slug])
    page = admin_client.get(url).content.decode()
    assert page.count('id="purge-forecast"') == 1 and page.count('id="bulk-restore"') == 1
    button = page[page.index('id="bulk-restore"') : page.index("</button>", page.index('id="bulk-restore"'))]
    assert "<div" not in button and "<form" not in button  # the banner stays out of the button
    assert 'id="purge-forecast">3 archived contacts will be deleted for good in the next 30 days' in page
    assert "?restorable=expiring" in page and "Export them first" in page
    shown = admin_client.get(url, {"restorable": "expiring"}).content.decode()
    assert all(c.email in shown for c in soon) and merged.email in shown and "later@example.com" not in shown
    response = admin_client.post(
        reverse("cleaned:export", args=[workspace.slug]), {"scope": "contacts", "filter": "restorable=expiring"}
    )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.scope == "contacts" and job.filter == {"restorable": "expiring"} and job.total == 3
    assert "Export them first" not in member_client.get(url).content.decode()


def test_archived_list_presets_and_chips_each_remove_one_filter(admin_client, workspace):
    import re
    from urllib.parse import parse_qs, urlsplit

    newsletter = make_list(workspace, "Newsletter")
    url = reverse("restore:archived", args=[workspace.slug])
    page = admin_client.get(url).content.decode()
    assert "?restorable=yes" in page and "?restorable=expiring" in page and "?archived_after=" in page  # presets
    assert 'id="active-filters"' not in page
    page = admin_client.get(url, {"restorable": "yes", "list": newsletter.id, "sort": "archived"}).content.decode()
    chips = page[page.index('id="active-filters"') : page.index("</div>", page.index('id="active-filters"'))]
    assert "Restorability: Restorable now" in chips and "Was on list: Newsletter" in chips
    links = [parse_qs(urlsplit(href.replace("&amp;", "&")).query) for href in re.findall(r'href="([^"]+)"', chips)]
    assert {"list": [str(newsletter.id)], "sort": ["archived"]} in links  # the restorability chip keeps the others
    assert {"restorable": ["yes"], "sort": ["archived"]} in links


@pytest.mark.parametrize(
    "sort,expected",
    [
        ("email", ["ann@example.com", "bob@example.com", "cid@example.com"]),
        ("-email", ["cid@example.com", "bob@example.com", "ann@example.com"]),
        ("name", ["cid@example.com", "ann@example.com", "bob@example.com"]),  # Adams, Brown, Clark
        ("-name", ["bob@example.com", "ann@example.com", "cid@example.com"]),
    ],
)
def test_archived_list_sorts_by_email_and_by_name(admin_client, workspace, sort, expected):
    people = [
        make_contact(workspace, email="bob@example.com", last_name="Clark"),
        make_contact(workspace, email="ann@example.com", last_name="Brown"),
        make_contact(workspace, email="cid@example.com", last_name="Adams"),
    ]
    archive(workspace, people, days=40)
    page = admin_client.get(reverse("restore:archived", args=[workspace.slug]), {"sort": sort}).content.decode()
    positions = [page.index(f">{email}</a>") for email in expected]
    assert positions == sorted(positions)
    toggled = "-" + sort if not sort.startswith("-") else sort[1:]
    assert f'sort={toggled}"' in page  # the column header sorts the other way next


def test_u5_the_preset_in_force_is_highlighted(admin_client, workspace):
    url = reverse("restore:archived", args=[workspace.slug])
    page = admin_client.get(url).content.decode()
    query = re.search(r'class="chip preset" href="\?([^"]+)"', page).group(1)
    chosen = admin_client.get(f"{url}?{unescape(query)}").content.decode()
    assert f'class="chip preset current" href="?{query}" aria-current="true"' in chosen


def test_s4_an_inverted_date_range_is_refused_with_a_sentence_not_an_empty_list(admin_client, workspace):
    """Archived from May until January matched nothing and said "No archived contact
    matches": the admin took it for "none archived then"."""
    from django.urls import reverse

    url = reverse("restore:archived", args=[workspace.slug])
    response = admin_client.get(url, {"archived_after": "2026-05-01", "archived_before": "2026-01-01"})
    page = response.content.decode()
    assert response.status_code == 400 and "“Archived from” is after “Archived until”" in page
    same_day = admin_client.get(url, {"archived_after": "2026-05-01", "archived_before": "2026-05-01"})
    assert same_day.status_code == 200  # one day is a range
    activity = admin_client.get(
        reverse("activity", args=[workspace.slug]), {"since": "2026-05-02", "until": "2026-05-01"}
    )
    assert activity.status_code == 400 and "“From” is after “Until”" in activity.content.decode()


def test_b3_the_preview_never_says_a_plan_is_at_0_percent_when_it_is_not():
    """ "… a plan of 100,000 (0%)" read as an empty plan: under half a percent is "<1"."""
    from restore.services.preview import RestorePreview

    def usage(after: int, limit: int) -> str:
        preview = RestorePreview(
            requested=1,
            restorable=1,
            billable_added=1,
            billable_now=after - 1,
            billable_after=after,
            contact_limit=limit,
            needs_confirmation=False,
            skipped={},
        )
        return preview.usage_percent

    assert [usage(3, 100_000), usage(500, 100_000), usage(900, 1000), usage(1, 0)] == ["<1", "1", "90", "100"]


def test_r1_the_started_message_says_how_many_the_preview_said_will_come_back(admin_client, workspace):
    """The preview said "4 will be restored" of 8, then the page said "Restore started for 8 contacts"."""
    from .restore_helpers import archive

    ready, frozen = make_contact(workspace), make_contact(workspace)
    archive(workspace, [ready], days=40)
    archive(workspace, [frozen], days=2)
    response = admin_client.post(
        reverse("restore:start", args=[workspace.slug]), {"ids": [ready.id, frozen.id]}, follow=True
    )
    page = unescape(response.content.decode())
    assert "Restore started: 1 of the 2 selected contacts will be restored" in page
    assert "Restore started for 2 contacts" not in page


@pytest.mark.parametrize(
    "page,field,value,kept",
    [
        ("restore:archived", "archived_after", "2026-13-45", 'value="2026-13-45"'),
        ("cleaned:list", "bounce_class", "bogus", 'value="ada"'),
        ("activity", "since", "2026-13-45", 'value="2026-13-45"'),
    ],
)
def test_u1_s4_a_bad_filter_shows_the_same_page_with_the_filters_as_typed(
    admin_client, workspace, page, field, value, kept
):
    """A bad filter led to a separate error page whose link went to Contacts: the form and
    the other filters were lost."""
    response = admin_client.get(reverse(page, args=[workspace.slug]), {field: value, "q": "ada"})
    html = unescape(response.content.decode())
    assert response.status_code == 400 and 'id="filter-error"' in html
    assert kept in html and 'class="card filters"' in html  # what was typed, to correct it


def test_r7_find_restored_contacts_says_when_they_are_no_longer_active(admin_client, workspace, admin_user):
    """ "No contacts yet." when the job's contacts had been archived again."""
    from restore.services.jobs import restore_job_create
    from restore.services.selection import selection_from_ids

    from .restore_helpers import archive, run_job_inline

    ada = make_contact(workspace)
    archive(workspace, [ada], days=40)
    job = restore_job_create(selection=selection_from_ids(workspace=workspace, ids=[ada.id]), actor=admin_user)
    run_job_inline(job)
    contacts_archive(workspace=workspace, contact_ids=[ada.id], actor=admin_user)
    page = admin_client.get(reverse("restore:restored_contacts", args=[workspace.slug, job.number])).content.decode()
    assert "None of the contacts this job restored is active now" in page and "No contacts yet" not in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_p5_the_day_filter_renders_what_the_date_filter_renders(language):
    """The archived list formats each (day, language) once per process (P5): the same
    words as Django's `date`, in the current zone, in both languages."""
    from datetime import UTC, date, datetime, timedelta

    from django.template import engines
    from django.utils import translation

    both = engines["django"].from_string("{% load days %}{{ v|date }}|{{ v|day }}")
    near_midnight = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    with translation.override(language):
        for value in (near_midnight, near_midnight + timedelta(hours=1), date(2026, 1, 2), None):
            shown_by_date, shown_by_day = both.render({"v": value}).split("|")
            assert shown_by_date == shown_by_day
        assert both.render({"v": date(2026, 1, 2)}).split("|")[1] == (
            "Jan 2, 2026" if language == "en" else "2 janv. 2026"
        )


def test_u1_s4_an_invalid_filter_shows_no_count_nor_selection_toolbar(admin_client, workspace):
    archive(workspace, make_contacts(workspace, 2), days=40)
    response = admin_client.get(reverse("restore:archived", args=[workspace.slug]), {"restorable": "bogus"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="filter-error"' in html
    assert "0 matching" not in html and 'id="bulk-restore"' not in html  # nothing was searched


def test_r3_a_merged_row_says_why_it_cannot_be_restored(admin_client, workspace):
    survivor, dup = (
        make_contact(workspace, email="survivor@example.com"),
        make_contact(workspace, email="dup@example.com"),
    )
    contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id)
    html = admin_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()
    row = html[html.index("dup@example.com") :].split("</tr>")[0]
    assert "A merged contact cannot be restored" in row and "row-restore" not in row


def test_s4_the_archived_rows_show_what_people_typed_as_text_never_as_markup(admin_client, workspace):
    """The rows are rendered in Python (P5), not by the template engine's autoescaping:
    markup in a name, an email, the archiving user's name and a merged contact's
    survivor is shown as text."""
    from django.contrib.auth import get_user_model

    from contacts_app.models import Role

    from .factories import make_member

    mallory = get_user_model().objects.create_user(username='<img src=x onerror="alert(1)">', password="x")
    make_member(workspace, Role.ADMIN, user=mallory)
    named = make_contact(workspace, email="o'brien+<b>@example.com", first_name="<script>alert(1)</script>")
    named.last_name = '"><svg onload=alert(2)>'
    named.save()
    archive(workspace, [named], actor=mallory, days=10)
    survivor = make_contact(workspace, email="<i>survivor</i>@example.com")
    dup = make_contact(workspace, email="dup@example.com")
    contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id)
    html = admin_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    for markup in ("<script>", "<svg", "<img", "<b>", "<i>", 'onerror="'):
        assert markup not in rows
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;svg onload=alert(2)&gt;" in rows
    assert "o&#x27;brien+&lt;b&gt;@example.com" in rows  # in the link and the box's label
    assert "by &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in rows
    assert "&lt;i&gt;survivor&lt;/i&gt;@example.com</a>" in rows
    assert unescape(rows).count("<script>alert(1)</script>") == 1  # the text reads as typed


def test_r2_r3_a_filter_that_only_matches_contacts_that_cannot_come_back_offers_no_restore(admin_client, workspace):
    """ "Merged", "past the one-year window" and "frozen" match nobody who can be restored now: the
    Restore button stays disabled and says why, and "Restore all N matching" is not
    offered (erasing them still is)."""
    survivor, dup = make_contact(workspace, email="kept@example.com"), make_contact(workspace, email="dup@example.com")
    contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id)
    archive(workspace, make_contacts(workspace, 2), days=40)
    archive(workspace, make_contacts(workspace, 2), days=5)  # frozen: not before their 30 days end
    url = reverse("restore:archived", args=[workspace.slug])
    for restorable in ("merged", "expired", "frozen"):
        html = admin_client.get(url, {"restorable": restorable}).content.decode()
        button = html[html.index('id="bulk-restore"') :].split(">")[0]
        assert "data-blocked" in button and "None of these contacts can be restored" in button
        assert 'id="restore-all-nojs"' not in html
        if restorable == "merged":
            assert 'id="erase-all-nojs"' in html
    html = admin_client.get(url, {"restorable": "yes"}).content.decode()
    assert "data-blocked" not in html.split('id="bulk-restore"')[1].split(">")[0] and 'id="restore-all-nojs"' in html


@pytest.mark.parametrize("language,said", [("en", "Was on list:"), ("fr", "Était sur la liste")])
def test_u1_the_archived_filters_error_names_the_field_as_the_page_labels_it(admin_client, workspace, language, said):
    """The form said "Was on list" and its error said "List": the admin had to guess which field."""
    response = admin_client.get(
        reverse("restore:archived", args=[workspace.slug]), {"list": "999999"}, HTTP_ACCEPT_LANGUAGE=language
    )
    error = unescape(response.content.decode()).split('id="filter-error">')[1].split("</p>")[0]
    assert response.status_code == 400 and said in error


@pytest.mark.parametrize(
    "archived,shown,counted", [(3, "3 contacts", False), (25, "25 contacts", False), (26, "26 contacts", True)]
)
def test_p5_a_list_that_ends_on_its_page_is_not_counted_again(admin_client, workspace, archived, shown, counted):
    """The rows a page reads say how long the list is when it ends on that page: no
    count query then (a small workspace's list, a narrow search); a longer list is
    counted, and its pages and their numbers are what they were."""
    archive(workspace, make_contacts(workspace, archived), days=40)
    url = reverse("restore:archived", args=[workspace.slug])
    admin_client.get(url)  # the purge forecast's count is then read from the cache
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(url, {"per_page": 25}).content.decode()
    assert shown in page
    assert any("COUNT(" in q["sql"] for q in queries.captured_queries) is counted
    assert ('rel="next"' in page) is (archived > 25)
    last = admin_client.get(url, {"per_page": 25, "page": 9}).content.decode()  # past the end: the last page
    assert len(re.findall(r'class="row-check"', last)) == (archived - 1) % 25 + 1


def test_u1_the_restore_previews_cancel_goes_back_where_the_admin_came_from(admin_client, workspace):
    """Without JavaScript, Cancel on a contact page's restore preview went to the archived
    list, and from the list it dropped the page the admin was on."""
    old = make_contact(workspace)
    archive(workspace, [old], days=40)
    preview = reverse("restore:preview", args=[workspace.slug])

    def cancel(**headers):
        page = admin_client.post(preview, {"ids": [old.id]}, **headers).content.decode()
        return unescape(re.search(r'id="preview-cancel" href="([^"]+)"', page).group(1))

    contact_page = f"http://testserver/w/{workspace.slug}/contacts/{old.id}/"
    listed = f"http://testserver/w/{workspace.slug}/contacts/archived/?q=old&page=2"
    assert cancel(HTTP_REFERER=contact_page) == contact_page
    assert cancel(HTTP_REFERER=listed) == listed
    assert cancel() == f"/w/{workspace.slug}/contacts/archived/"
    assert cancel(HTTP_REFERER="https://evil.example/") == f"/w/{workspace.slug}/contacts/archived/"
    assert cancel(HTTP_REFERER=f"http://testserver{preview}") == f"/w/{workspace.slug}/contacts/archived/"


def test_r1_r2_the_restorable_from_column_says_now_instead_of_a_date_already_past(admin_client, workspace):
    """A contact restorable today showed "Restorable from Jan 3, 2026", a date long gone."""
    ready, frozen, gone = make_contact(workspace), make_contact(workspace), make_contact(workspace)
    archive(workspace, [ready], days=40)
    archive(workspace, [frozen], days=5)
    archive(workspace, [gone], days=400)
    page = admin_client.get(reverse("restore:archived", args=[workspace.slug])).content.decode()

    def restorable_cell(contact):
        row = page[page.index(f'value="{contact.id}"') :].split("</tr>")[0]
        return re.search(r'data-label="Restorable from">([^<]*)<', row).group(1)

    assert restorable_cell(ready) == "Now"
    assert restorable_cell(frozen) not in ("Now", "—") and "20" in restorable_cell(frozen)  # its date
    assert restorable_cell(gone) == "—"


@pytest.mark.parametrize("action", ["restore:preview", "contacts:erase_confirm"])
def test_u1_a_post_with_nothing_ticked_goes_back_to_the_list_with_what_to_do(admin_client, workspace, action):
    """Without JavaScript, "Restore selected" with no box ticked led to an error page."""
    archive(workspace, make_contacts(workspace, 2), days=40)
    listed = f"http://testserver/w/{workspace.slug}/contacts/archived/?sort=email&page=1"
    response = admin_client.post(reverse(action, args=[workspace.slug]), {}, HTTP_REFERER=listed, follow=True)
    assert response.redirect_chain[0] == (listed, 302)
    page = response.content.decode()
    assert "Select at least one contact first." in page and 'id="archived-table"' in page
    assert not RestoreJob.objects.exists()
    no_referer = admin_client.post(reverse(action, args=[workspace.slug]), {})
    assert no_referer.status_code == 400 and "Select at least one contact first." in no_referer.content.decode()
