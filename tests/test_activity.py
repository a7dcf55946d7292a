"""U4: workspace admins read their workspace's activity: who, what, when, how many;
filterable; exportable to CSV; nothing from another workspace; not for members."""

import csv
import io

import pytest
from django.urls import reverse

from contacts_app.services.archive import contacts_archive

from .factories import make_contact

pytestmark = pytest.mark.django_db


def test_u4_admins_see_who_did_what_when_filter_it_and_export_it(admin_client, workspace, other_workspace, admin_user):
    contacts_archive(
        workspace=workspace, contact_ids=[make_contact(workspace).id, make_contact(workspace).id], actor=admin_user
    )
    contacts_archive(workspace=other_workspace, contact_ids=[make_contact(other_workspace).id], actor=None)
    from contacts_app.audit import audit_log

    audit_log(workspace_id=workspace.id, action="export", actor=admin_user, count=7, details={"export": 3})
    url = reverse("activity", args=[workspace.slug])
    page = admin_client.get(url).content.decode()
    rows = page[page.index('id="activity"') :]
    assert rows.count("<tr>") == 3  # header + the two events of this workspace only
    assert (
        "Archive" in rows
        and "Export #3" in rows
        and admin_user.get_username() in rows
        and ">2<" in rows
        and ">7<" in rows
    )
    only_exports = admin_client.get(url, {"action": "export"}).content.decode()
    table_html = only_exports[only_exports.index('id="activity"') :]
    assert "Export #3" in table_html and ">Archive<" not in table_html and "1 event" in table_html
    assert admin_client.get(url, {"since": "9999-01-01"}).status_code == 400
    response = admin_client.get(url, {"action": "archive", "format": "csv"})
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0] == ["when", "who", "action", "count", "what", "contacts"] and len(table) == 2
    assert table[1][1:4] == [admin_user.get_username(), "archive", "2"] and table[1][0].endswith("Z")


def test_s1_u4_members_do_not_read_the_activity_log(member_client, workspace):
    assert member_client.get(reverse("activity", args=[workspace.slug])).status_code == 403


def test_u4_u6_the_activity_log_downloads_as_excel_and_a_too_large_one_says_to_use_the_csv(
    admin_client, workspace, admin_user, settings
):
    import openpyxl

    contacts_archive(workspace=workspace, contact_ids=[make_contact(workspace).id], actor=admin_user)
    url = reverse("activity", args=[workspace.slug])
    response = admin_client.get(url, {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    table = list(book.active.iter_rows(values_only=True))
    assert table[0] == ("when", "who", "action", "count", "what", "contacts")
    assert table[1][2] == "archive" and table[1][3] == 1 and table[1][0].year >= 2026  # a number, a date
    settings.XLSX_MAX_ROWS = 0
    refused = admin_client.get(url, {"format": "xlsx"})
    assert refused.status_code == 400 and "download the CSV instead" in refused.content.decode()


def test_u4_each_job_is_one_activity_row_labelled_by_what_it_is_with_its_outcome(
    admin_client, workspace, admin_user, settings
):
    """An incident revert of 18 contacts showed as three rows of 18, one labelled
    "Restore job #1"; every restore job as three rows (requested, job, finished)."""
    from django.utils import translation

    from cleaned.services.incidents import INCIDENT_REVERTS, incident_revert_create
    from contacts_app.services.archive_jobs import ARCHIVE_JOBS, archive_request
    from restore.services.jobs import restore_job_create
    from restore.services.selection import selection_from_ids
    from tests.restore_helpers import archive, run_job_inline
    from tests.test_incident_revert import T0, clean, incident_of

    from .factories import make_contacts

    settings.JOB_CHUNK_SIZE = 10  # several chunks each
    with translation.override("en"):
        people = make_contacts(workspace, 60)
        archive(workspace, people[:25], actor=admin_user)
        restore = restore_job_create(
            selection=selection_from_ids(workspace=workspace, ids=[c.id for c in people[:25]]), actor=admin_user
        )
        run_job_inline(restore)
        ids = [c.id for c in people[30:]]
        request = archive_request(
            workspace=workspace, actor=admin_user, contact_ids=ids, selection={"q": "bulk"}, all_matching=True
        )
        ARCHIVE_JOBS.run(job_id=request.job.id)
        victims = make_contacts(workspace, 18)
        clean(workspace, victims, provider="mailgun", code="5.1.1", at=T0, prefix="inc")
        revert = incident_revert_create(incident=incident_of(workspace), actor=admin_user, reason="provider incident")
        INCIDENT_REVERTS.run(job_id=revert.id)

    page = admin_client.get(reverse("activity", args=[workspace.slug])).content.decode()
    rows = page[page.index('id="activity"') :]
    assert rows.count(f"Restore job #{restore.number}") == 1 and "25 restored" in rows
    assert rows.count(f"Archive job #{request.job.number}") == 1
    assert rows.count(f"Incident revert #{revert.number}") == 1 and rows.count("Restore job #") == 1
    assert f'href="/w/{workspace.slug}/restore-jobs/{restore.number}/"' in rows
    response = admin_client.get(reverse("activity", args=[workspace.slug]), {"format": "csv"})
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sum(f"Restore job #{restore.number}" in r[4] for r in table) == 1
    assert sum(f"Incident revert #{revert.number}" in r[4] for r in table) == 1


def test_u4_an_action_on_a_few_contacts_names_them_with_links(
    admin_client, workspace, admin_user, django_assert_max_num_queries
):
    """ "Archive · 1" said nothing of whom: an action on up to three contacts names them,
    linked to their pages — direct ones (their ids) and small jobs (their items) alike;
    a contact since deleted is said to be; a bigger action names nobody (its job does)."""
    from restore.services.jobs import restore_job_create
    from restore.services.selection import selection_from_ids
    from tests.restore_helpers import archive, run_job_inline

    from .factories import make_contacts

    ada, grace = make_contact(workspace, email="ada@example.com"), make_contact(workspace, email="grace@example.com")
    contacts_archive(workspace=workspace, contact_ids=[ada.id], actor=admin_user)
    many = make_contacts(workspace, 5)
    contacts_archive(workspace=workspace, contact_ids=[c.id for c in many], actor=admin_user)
    archive(workspace, [grace], days=40)
    job = restore_job_create(selection=selection_from_ids(workspace=workspace, ids=[grace.id]), actor=admin_user)
    run_job_inline(job)
    gone = make_contact(workspace, email="gone@example.com")
    contacts_archive(workspace=workspace, contact_ids=[gone.id], actor=admin_user)
    gone.delete()
    url = reverse("activity", args=[workspace.slug])
    with django_assert_max_num_queries(14):
        page = admin_client.get(url).content.decode()
    rows = page[page.index('id="activity"') :]
    assert f'<a href="/w/{workspace.slug}/contacts/{ada.id}/">ada@example.com</a>' in rows
    assert f'<a href="/w/{workspace.slug}/contacts/{grace.id}/">grace@example.com</a>' in rows  # the job's one
    assert "a deleted contact" in rows and "gone@example.com" not in rows
    assert not any(c.email in rows for c in many)  # five: the count says it


def test_u4_what_support_did_is_said_to_be_support_and_the_staff_filter_finds_it(admin_client, workspace, admin_user):
    """Support's archive from the Django admin read like the customer's own admin's, and
    "Staff change" found nothing."""
    from .factories import make_user

    support = make_user(username="sam", is_staff=True)
    contacts_archive(workspace=workspace, contact_ids=[make_contact(workspace).id], actor=support)
    contacts_archive(workspace=workspace, contact_ids=[make_contact(workspace).id], actor=admin_user)
    url = reverse("activity", args=[workspace.slug])
    rows = admin_client.get(url).content.decode()
    assert "sam (support)" in rows and f"{admin_user.get_username()} (support)" not in rows
    staff = admin_client.get(url, {"action": "staff_change"}).content.decode()
    table = staff[staff.index('id="activity"') :]
    assert "sam (support)" in table and admin_user.get_username() not in table.replace("sam", "")


def test_u4_an_incident_revert_row_says_why_it_was_asked_for(admin_client, workspace, admin_user):
    from cleaned.services.incidents import INCIDENT_REVERTS, incident_revert_create
    from tests.test_incident_revert import T0, clean, incident_of

    from .factories import make_contacts

    clean(workspace, make_contacts(workspace, 3), provider="mailgun", code="5.1.1", at=T0, prefix="inc")
    revert = incident_revert_create(incident=incident_of(workspace), actor=admin_user, reason="Mailgun outage 12 May")
    INCIDENT_REVERTS.run(job_id=revert.id)
    rows = admin_client.get(reverse("activity", args=[workspace.slug])).content.decode()
    assert f"Incident revert #{revert.number}" in rows and "“Mailgun outage 12 May”" in rows
