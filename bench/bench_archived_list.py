"""P2: the archived-contacts page with 1,000,000 archived contacts in one workspace.
Server time of the first page, of each filter and of select-all → preview, as
p50/p95 over repeated requests through the Django test client, plus queries per page.

    .venv/bin/python bench/bench_archived_list.py --n 1000000 --repeat 20
"""

import argparse
import statistics
import time

from common import Timer, setup_django


def build(n: int):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from contacts_app.models import Role, Workspace, WorkspaceMembership

    ws = Workspace.objects.create(name="Big", slug="big", contact_limit=2 * n)
    user = get_user_model().objects.create(username="bench-admin")
    WorkspaceMembership.objects.create(workspace=ws, user=user, role=Role.ADMIN)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO contacts_app_mailinglist (workspace_id, name, created_at) "
            "SELECT %s, 'List ' || g, now() FROM generate_series(1, 6) g",
            [ws.id],
        )
        cur.execute(
            "INSERT INTO contacts_app_tag (workspace_id, name) SELECT %s, 'tag-' || g FROM generate_series(1, 20) g",
            [ws.id],
        )
        cur.execute(
            "INSERT INTO contacts_app_account (workspace_id, name, created_at) "
            "SELECT %s, 'Account ' || g, now() FROM generate_series(1, 50) g",
            [ws.id],
        )
        # Archive dates, merges and cleaned addresses drawn at random (seeded), so that
        # they do not line up with the id-based list/tag/account assignment below.
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            """INSERT INTO contacts_app_contact (workspace_id, email, first_name, last_name, phone, created_at,
                   updated_at, status, archived_at, email_status, cleaned_reason)
               SELECT %s, 'person' || g || '@example.com', 'First' || (g %% 997), 'Last' || (g %% 1009),
                   '', now() - interval '3 years', now(),
                   CASE WHEN random() < 0.01 THEN 'merged' ELSE 'archived' END,
                   now() - random() * interval '400 days',
                   CASE WHEN random() < 0.05 THEN 'cleaned' ELSE 'ok' END, ''
               FROM generate_series(1, %s) g""",
            [ws.id, n],
        )
        cur.execute(
            """INSERT INTO contacts_app_archiverecord (workspace_id, contact_id, archived_at, account_id_snapshot,
                   account_name, restore_source)
               SELECT c.workspace_id, c.id, c.archived_at, a.id, a.name, '' FROM contacts_app_contact c
               JOIN contacts_app_account a ON a.workspace_id = c.workspace_id
                   AND a.name = 'Account ' || (1 + c.id %% 50)
               WHERE c.workspace_id = %s AND c.status = 'archived'""",
            [ws.id],
        )
        cur.execute(
            """INSERT INTO contacts_app_archivedlistmembership (record_id, contact_id, list_id_snapshot, list_name,
                   status, subscribed_at)
               SELECT r.id, r.contact_id, l.id, l.name, 'subscribed', now() FROM contacts_app_archiverecord r
               JOIN contacts_app_mailinglist l ON l.workspace_id = r.workspace_id
                   AND l.name = 'List ' || (1 + r.contact_id %% 6)
               WHERE r.workspace_id = %s""",
            [ws.id],
        )
        cur.execute(
            """INSERT INTO contacts_app_archivedcontacttag (record_id, contact_id, tag_id_snapshot, tag_name)
               SELECT r.id, r.contact_id, t.id, t.name FROM contacts_app_archiverecord r
               JOIN contacts_app_tag t ON t.workspace_id = r.workspace_id
                   AND t.name = 'tag-' || (1 + r.contact_id %% 20)
               WHERE r.workspace_id = %s""",
            [ws.id],
        )
        cur.execute(
            "INSERT INTO contacts_app_tag (workspace_id, name) VALUES (%s, 'rare'), (%s, 'cohort')", [ws.id, ws.id]
        )
        cur.execute(  # a tag only 1 archived contact in 5,000 had: the GIN index's case
            """INSERT INTO contacts_app_archivedcontacttag (record_id, contact_id, tag_id_snapshot, tag_name)
               SELECT r.id, r.contact_id, t.id, t.name FROM contacts_app_archiverecord r
               JOIN contacts_app_tag t ON t.workspace_id = r.workspace_id AND t.name = 'rare'
               WHERE r.workspace_id = %s AND r.contact_id %% 5000 = 0""",
            [ws.id],
        )
        cur.execute(  # 5%, all archived 10-13 months ago: the newest 75% of the list has none
            """INSERT INTO contacts_app_archivedcontacttag (record_id, contact_id, tag_id_snapshot, tag_name)
               SELECT r.id, r.contact_id, t.id, t.name FROM contacts_app_archiverecord r
               JOIN contacts_app_tag t ON t.workspace_id = r.workspace_id AND t.name = 'cohort'
               WHERE r.workspace_id = %s AND r.archived_at < now() - interval '300 days' AND r.contact_id %% 5 = 0""",
            [ws.id],
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    # What the archive writes on each contact row for the list/tag/account filters.
    from contacts_app.models import Contact
    from contacts_app.services.archive import snapshot_summary

    Contact.objects.filter(workspace=ws, status__in=["archived", "merged"]).update(**snapshot_summary())
    with connection.cursor() as cur:
        # The archive writes each contact once; this set-up wrote them twice, so compact
        # the table and its indexes back to what production would hold.
        cur.execute("VACUUM FULL ANALYZE contacts_app_contact")
        cur.execute("VACUUM ANALYZE")
    return ws, user


def measure(client, url, params, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = (
                client.get(url, params) if params is not None else client.post(url[0], url[1], HTTP_X_FRAGMENT="1")
            )
            times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run (to iterate on queries)")
    args = parser.parse_args()
    setup_django(fresh=not args.reuse)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from contacts_app.models import Account, MailingList, Tag, Workspace

    with Timer() as t:
        if args.reuse and Workspace.objects.filter(slug="big").exists():
            ws, user = Workspace.objects.get(slug="big"), get_user_model().objects.get(username="bench-admin")
        else:
            ws, user = build(args.n)
    print(
        f"P2 archived list, {args.n:,} archived/merged contacts in one workspace (set-up {t.seconds:.0f}s); "
        f"{args.repeat} requests each"
    )
    client = Client()
    client.force_login(user)
    url = reverse("restore:archived", args=[ws.slug])
    lst, tag = MailingList.objects.filter(workspace=ws).first(), Tag.objects.filter(workspace=ws).first()
    rare, account = Tag.objects.get(workspace=ws, name="rare"), Account.objects.filter(workspace=ws).first()
    cohort = Tag.objects.get(workspace=ws, name="cohort")
    cases = [
        ("first page", {}),
        ("search 'person4242'", {"q": "person4242"}),
        ("restorable now", {"restorable": "yes"}),
        ("still frozen", {"restorable": "frozen"}),
        ("expiring in 30 days", {"restorable": "expiring"}),
        ("merged", {"restorable": "merged"}),
        ("archived date range", {"archived_after": "2026-03-01", "archived_before": "2026-04-01"}),
        ("was on list", {"list": lst.id}),
        ("had tag", {"tag": tag.id}),
        ("had a rare tag (1/5,000)", {"tag": rare.id}),
        ("had an old cohort's tag", {"tag": cohort.id}),
        ("was at account", {"account": account.id}),
        ("cleaned", {"email_status": "cleaned"}),
        ("oldest first", {"sort": "archived"}),
        ("sorted by email", {"sort": "email"}),
        ("sorted by name", {"sort": "-name"}),
        ("page 50", {"page": 50}),
    ]
    worst = 0.0
    for name, params in cases:
        p50, p95, q = measure(client, url, params, args.repeat)
        worst = max(worst, p95)
        print(f"  {name:<24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {q} queries")
    select_all = {"select_all": "1", "filter": f"tag={tag.id}&restorable=yes"}
    for name, view in (
        ("select all (tag) → preview", "restore:preview"),
        ("  … what will not come back", "restore:preview_details"),
    ):
        p50, p95, q = measure(client, (reverse(view, args=[ws.slug]), select_all), None, max(5, args.repeat // 2))
        print(f"  {name:<24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {q} queries")
    print(f"  worst page p95: {worst:.1f} ms (target ≤ 150 ms)")


if __name__ == "__main__":
    main()
