"""Set-based SQL for the restore hot path (P1), portable between PostgreSQL and
SQLite. Duplicates are skipped with ON CONFLICT DO NOTHING on the unique indexes:
a NOT EXISTS anti-join was planned from statistics taken while the target table
was still small and degraded to a quadratic nested loop as a restore filled it."""

from collections.abc import Sequence

from django.db import connection

from contacts_app.associations import ACCOUNT, DEALS, LISTS, TAGS
from contacts_app.deliverability import membership_status_sql
from contacts_app.lib.sqlutil import in_ids
from contacts_app.lib.sqlutil import table as _t
from contacts_app.models import ArchiveRecord, Contact, ContactStatus


def reattach_associations(
    *,
    workspace_id: int,
    record_ids: Sequence[int],
    contact_ids: Sequence[int],
    now,
    actor_id,
    source: str,
    form_id: int | None = None,
) -> None:
    """R6: put back what the snapshot holds, skipping whatever was deleted since.
    Lists keep their status (a cleaned address stays bounced), deals never as primary,
    the account only if it still exists, the original created_at untouched."""
    rec_in, rec_params = in_ids("s.record_id", record_ids or [0])
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {_t(LISTS.link)} (contact_id, mailing_list_id, status, created_at)
            SELECT s.contact_id, s.list_id_snapshot,
                   {membership_status_sql(email_status="c.email_status", wanted="s.status")}, s.subscribed_at
            FROM {_t(LISTS.snapshot)} s
            JOIN {_t(LISTS.target)} l ON l.id = s.list_id_snapshot AND l.workspace_id = %s
            JOIN {_t(Contact)} c ON c.id = s.contact_id
            WHERE {rec_in}
            ON CONFLICT (contact_id, mailing_list_id) DO NOTHING
            """,
            [workspace_id, *rec_params],
        )
        cur.execute(
            f"""
            INSERT INTO {_t(TAGS.link)} (contact_id, tag_id, created_at)
            SELECT s.contact_id, s.tag_id_snapshot, %s
            FROM {_t(TAGS.snapshot)} s
            JOIN {_t(TAGS.target)} t ON t.id = s.tag_id_snapshot AND t.workspace_id = %s
            WHERE {rec_in}
            ON CONFLICT (contact_id, tag_id) DO NOTHING
            """,
            [now, workspace_id, *rec_params],
        )
        cur.execute(
            f"""
            INSERT INTO {_t(DEALS.link)} (deal_id, contact_id, is_primary, created_at)
            SELECT s.deal_id_snapshot, s.contact_id, FALSE, %s
            FROM {_t(DEALS.snapshot)} s
            JOIN {_t(DEALS.target)} d ON d.id = s.deal_id_snapshot AND d.workspace_id = %s
            WHERE {rec_in} AND NOT s.deal_deleted
            ON CONFLICT (deal_id, contact_id) DO NOTHING
            """,
            [now, workspace_id, *rec_params],
        )
        contact_in, contact_params = in_ids("id", contact_ids)
        cur.execute(
            f"""
            UPDATE {_t(Contact)} SET status = '{ContactStatus.ACTIVE.value}', archived_at = NULL, archived_by_id = NULL,
                updated_at = %s, snapshot_list_ids = NULL, snapshot_tag_ids = NULL, snapshot_account_id = NULL,
                account_id = (
                    SELECT a.id FROM {_t(ArchiveRecord)} r
                    JOIN {_t(ACCOUNT.target)} a ON a.id = r.account_id_snapshot AND a.workspace_id = %s
                    WHERE r.contact_id = {_t(Contact)}.id AND r.restored_at IS NULL)
            WHERE {contact_in} AND status = '{ContactStatus.ARCHIVED.value}'
            """,
            [now, workspace_id, *contact_params],
        )
        if record_ids:
            rid_in, rid_params = in_ids("id", record_ids)
            cur.execute(
                f"UPDATE {_t(ArchiveRecord)} SET restored_at = %s, restored_by_id = %s, restore_source = %s, "
                f"restored_by_form_id = %s WHERE {rid_in}",
                [now, actor_id, source, form_id, *rid_params],
            )
