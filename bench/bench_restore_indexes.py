"""P1 (#26): what the contact row's indexes cost a restore chunk. One population of
archived contacts (as bench_restore.py builds it, plus the snapshot sets the archive
writes on the row); the same 1,000-contact chunks restored with the indexes of
migration 0027 ("now") and with those it replaced ("before"), each chunk rolled back so
every variant restores the same rows from the same state (vacuumed between passes); the
variants alternate (now, before, now, before) so a drift of the machine shows as a
difference between two passes of one variant.

    .venv/bin/python bench/bench_restore_indexes.py --n 100000 --chunks 8
"""

import argparse
import os
import statistics

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_idx")

from common import Timer, setup_django

# The indexes migration 0027 dropped, and the ones it made partial in their old form.
BEFORE = [
    "CREATE INDEX b_ws ON contacts_app_contact (workspace_id)",
    "CREATE INDEX b_account ON contacts_app_contact (account_id)",
    "CREATE INDEX b_archived_by ON contacts_app_contact (archived_by_id)",
    "CREATE INDEX b_merged_into ON contacts_app_contact (merged_into_id)",
    "CREATE INDEX b_replaces ON contacts_app_contact (replaces_id)",
    "CREATE INDEX b_ws_status_arch ON contacts_app_contact (workspace_id, status, archived_at DESC, id DESC)",
    "CREATE INDEX b_lists_gin ON contacts_app_contact USING gin (snapshot_list_ids)",
    "CREATE INDEX b_tags_gin ON contacts_app_contact USING gin (snapshot_tag_ids)",
]
NOW_ONLY = [
    "contact_account",
    "contact_archived_by",
    "contact_merged_into",
    "contact_replaces",
    "contact_snapshot_list_ids_gin",
    "contact_snapshot_tag_ids_gin",
]


def variant_use(cur, name: str, now_defs: dict[str, str]) -> None:
    if name == "before":
        for index in NOW_ONLY:
            cur.execute(f"DROP INDEX IF EXISTS {index}")
        for statement in BEFORE:
            cur.execute(statement)
    else:
        for statement in BEFORE:
            cur.execute(f"DROP INDEX IF EXISTS {statement.split()[2]}")
        for index in NOW_ONLY:
            cur.execute(f"DROP INDEX IF EXISTS {index}")
            cur.execute(now_defs[index])
    # A rolled-back chunk leaves dead rows and index entries behind: clear them, so each
    # pass starts from the same state.
    cur.execute("VACUUM ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--chunks", type=int, default=8, help="chunks restored (and rolled back) per pass")
    args = parser.parse_args()
    setup_django()
    from bench_restore import build_population, server_settings
    from django.db import connection, transaction

    from contacts_app.lifecycle import Outcome
    from contacts_app.models import Contact
    from restore.services.restoring import contacts_restore

    print(f"P1 index cost: {args.n:,} archived contacts, {args.chunks} chunks of 1,000 per pass")
    print(f"  server: {server_settings()}")
    with Timer() as build:
        ws = build_population("idx", args.n)
        with connection.cursor() as cur:  # what contacts_archive writes on the row (P2)
            cur.execute(
                """UPDATE contacts_app_contact c SET
                       snapshot_list_ids = (SELECT array_agg(s.list_id_snapshot ORDER BY 1)
                           FROM contacts_app_archivedlistmembership s WHERE s.contact_id = c.id),
                       snapshot_tag_ids = (SELECT array_agg(s.tag_id_snapshot ORDER BY 1)
                           FROM contacts_app_archivedcontacttag s WHERE s.contact_id = c.id),
                       snapshot_account_id = (SELECT r.account_id_snapshot FROM contacts_app_archiverecord r
                           WHERE r.contact_id = c.id)
                   WHERE c.workspace_id = %s AND c.status = 'archived'""",
                [ws.id],
            )
            cur.execute("VACUUM ANALYZE contacts_app_contact")
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [NOW_ONLY])
            now_defs = dict(cur.fetchall())
    print(f"  set-up {build.seconds:.1f}s")
    ids = list(Contact.objects.filter(workspace=ws, status="archived").order_by("id").values_list("id", flat=True))
    step = len(ids) // args.chunks
    chunks = [ids[k * step : k * step + 1000] for k in range(args.chunks)]
    results: dict[str, list[float]] = {}
    passes = (("now", "now"), ("before", "before"), ("now, again", "now"), ("before, again", "before"))
    for label, variant in passes:
        with connection.cursor() as cur:
            variant_use(cur, variant, now_defs)
        times = []
        for chunk in chunks:
            try:
                with transaction.atomic():
                    with Timer() as t:
                        outcomes = contacts_restore(workspace=ws, contact_ids=chunk)
                    assert sum(o == Outcome.RESTORED for o in outcomes.values()) == len(chunk), outcomes
                    raise RuntimeError("roll back")
            except RuntimeError:
                times.append(t.seconds * 1000)
        results[label] = times
        print(
            f"  {label:>13}: restore SQL per 1,000-contact chunk median {statistics.median(times):.0f} ms "
            f"(min {min(times):.0f}, max {max(times):.0f})"
        )
    now = statistics.median(results["now"] + results["now, again"])
    before = statistics.median(results["before"] + results["before, again"])
    print(f"  before / now: {before:.0f} / {now:.0f} ms = {before / now:.2f}× (medians of both passes of each)")


if __name__ == "__main__":
    main()
