"""C4/A6: background CSV exports — of the cleaned view's contacts (its page) or of any
contact filter (the API) — a kind on the job machinery (contacts_app/jobs/kinds.py):
claimed by a conditional update, written in sequential chunks that each commit how far
the file is good, so a killed worker's successor carries on from there (every row
once), cancellable, told when done (R13), and deleted after EXPORT_RETENTION_DAYS."""

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts_app.audit import audit_log
from contacts_app.filters import ContactFilter
from contacts_app.job_models import MAX_ATTEMPTS
from contacts_app.jobs.kinds import JobKind
from contacts_app.jobs.machinery import job_number_next
from contacts_app.jobs.metrics import chunk_observe
from contacts_app.lib.csv_stream import IsoUtc, csv_chunks
from contacts_app.lib.errors import Gone
from contacts_app.lib.i18n import num
from contacts_app.lib.xlsx import too_many_rows, xlsx_from_csv, xlsx_max_rows
from contacts_app.lifecycle import restorable_until
from contacts_app.models import AuditEvent, Contact, Workspace
from contacts_app.selectors import contact_export_extras

from ..models import ExportJob, ExportScope, ExportStatus
from ..selectors import cleaned_contacts

EXPORT_HEADER = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "status",
    "email_status",
    "cleaned_at",
    "cleaned_reason",
    "bounce_count",
    "created_at",
]
# U5: "Export them first" from the archived list (any contact filter): what a person
# would want to keep before the purge — where the contact was, and when it goes.
CONTACTS_EXPORT_HEADER = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "status",
    "email_status",
    "lists",
    "tags",
    "account",
    "archived_at",
    "deleted_on",
    "created_at",
]
EXTRAS = ("lists", "tags", "account", "deleted_on")  # filled per chunk by contacts_app.selectors


def export_header(scope: str) -> list[str]:
    return EXPORT_HEADER if scope == ExportScope.CLEANED else CONTACTS_EXPORT_HEADER


def exported_contacts(*, workspace: Workspace, scope: str, params: dict) -> QuerySet[Contact]:
    """The contacts an export holds: `params` is a contact filter (S4: an invalid one
    is refused), within the cleaned view for the page's exports."""
    if scope == ExportScope.CLEANED:
        return cleaned_contacts(workspace=workspace, params=params)
    return ContactFilter(params, workspace=workspace).qs_or_error()


def export_path(job) -> Path:
    return Path(settings.EXPORTS_DIR) / str(job.workspace_id) / job.file_name


def export_xlsx_path(job) -> Path:
    """The Excel copy, written beside the CSV when the export finished (U6)."""
    return export_path(job).with_suffix(".xlsx")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_file(job, *, xlsx: bool = False) -> tuple[Path, str, str]:
    """(path, download name, content type) of a succeeded export's CSV or Excel file;
    Gone once deleted, InvalidInput for an Excel copy that was too large to write."""
    path = export_xlsx_path(job) if xlsx else export_path(job)
    if job.file_deleted_at or not export_path(job).is_file():
        raise Gone(export_gone(job), code="export_withdrawn" if job.withdrawn else "export_expired")
    if not path.is_file():
        raise too_many_rows()
    stem = "cleaned-contacts" if job.scope == ExportScope.CLEANED else "contacts"
    name = f"{job.workspace.slug}-{stem}-{job.number}"  # U7: the number the Exports page shows
    return path, f"{name}.{'xlsx' if xlsx else 'csv'}", XLSX_TYPE if xlsx else "text/csv; charset=utf-8"


class Exports(JobKind):
    name = "export"
    event_type = "export.finished"
    model = ExportJob
    run_task = "cleaned.tasks.export_run_task"
    notify_task = "cleaned.tasks.export_notify_task"
    audit_key = "export"
    one_at_a_time = False

    def give_up(self) -> str:
        return f"The export stopped {MAX_ATTEMPTS} times before finishing and was given up."

    def create_export(self, *, workspace: Workspace, actor, scope: str, params: dict) -> ExportJob:
        """Queue the export: its file name is fixed now (unguessable), the rows are counted."""
        total = exported_contacts(workspace=workspace, scope=scope, params=params).count()
        with transaction.atomic():
            job = ExportJob.objects.create(
                number=job_number_next(model=ExportJob, workspace_id=workspace.id),
                workspace=workspace,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                scope=scope,
                filter=params,
                requested=total,
                language=translation.get_language() or "",
            )
            job.file_name = f"export-{job.id}-{secrets.token_hex(8)}.csv"
            job.save(update_fields=["file_name"])
            audit_log(
                workspace_id=workspace.id,
                actor=actor,
                action=AuditEvent.Action.EXPORT,
                count=total,
                details={"export": job.id, "filter": params},
            )
            transaction.on_commit(lambda: self.enqueue_soon(job_id=job.id))
        return job

    def step(self, *, job_id: int, chunk_size: int | None = None, now=None) -> bool:
        """One chunk: the next rows after `last_id` appended to the file, then — in the
        same transaction as the job row, locked — how far the file is good.
        A worker killed before the commit leaves bytes past `file_bytes`: the next step
        cuts them off and writes those rows again. False once the export is done (or
        cancelled)."""
        chunk_size = chunk_size or settings.EXPORT_CHUNK_SIZE
        started = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A lost commit only means the chunk is written again: no WAL flush wait.
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit TO OFF")
            job = ExportJob.objects.select_for_update().select_related("workspace").get(id=job_id)
            if job.status != ExportStatus.RUNNING:
                return False
            now = now or timezone.now()
            rows = _chunk(job, after=job.last_id, size=chunk_size)
            path = export_path(job)
            path.parent.mkdir(parents=True, exist_ok=True)
            good, last_id, done = job.file_bytes, job.last_id, job.cursor
            if good and (not path.exists() or path.stat().st_size < good):
                # The file lost what the job row says it holds (the machine, not just the
                # worker, went down before the OS wrote it out): write it again from the top.
                good, last_id, done = 0, 0, 0
                rows = _chunk(job, after=0, size=chunk_size)
            with path.open("r+b" if path.exists() else "w+b") as fh:
                fh.truncate(good)  # what a killed worker wrote past the last commit goes
                fh.seek(good)
                for block in csv_chunks(export_header(job.scope) if good == 0 else None, (row[1:] for row in rows)):
                    fh.write(block)
                finished = len(rows) < chunk_size
                if finished:
                    os.fsync(fh.fileno())  # on disk before anyone is told it is ready
                size = fh.tell()
            if finished and done + len(rows) <= xlsx_max_rows():
                # The Excel copy, from the finished CSV (constant memory). A worker killed
                # here has not committed: the last chunk and this copy are written again.
                header = export_header(job.scope)
                numbers = [header.index(c) for c in ("bounce_count",) if c in header]
                xlsx_from_csv(path, export_xlsx_path(job), numbers=numbers)
            update = {
                "cursor": done + len(rows),
                "last_id": rows[-1][0] if rows else last_id,
                "file_bytes": size,
                "heartbeat_at": now,
            }
            if finished:
                retention = timedelta(days=settings.EXPORT_RETENTION_DAYS)
                update.update(status=ExportStatus.SUCCEEDED, finished_at=now, expires_at=now + retention)
            ExportJob.objects.filter(id=job.id).update(**update)
            if finished:
                self.notify_soon(job_id=job.id)
        chunk_observe(kind=self.name, seconds=time.perf_counter() - started)
        if settings.EXPORT_BATCH_PAUSE and not finished:  # spare a busy database between chunks
            time.sleep(settings.EXPORT_BATCH_PAUSE)
        return not finished

    def notice(self, job) -> tuple[str, str, str]:
        values = {"id": job.number, "status": job.get_status_display().lower(), "rows": num(job.rows)}
        subject = _("Export #%(id)s %(status)s") % values
        if job.status == ExportStatus.SUCCEEDED:
            message = (
                ngettext(
                    "Export #%(id)s is ready: %(rows)s contact. Download it from the Exports page.",
                    "Export #%(id)s is ready: %(rows)s contacts. Download it from the Exports page.",
                    job.rows,
                )
                % values
            )
        else:
            message = _("Export #%(id)s %(status)s.") % values + (f" {job.error}" if job.error else "")
        return subject, message, reverse("cleaned:exports", args=[job.workspace.slug])

    def expire(self, *, now=None) -> int:
        """Maintenance: delete the files of exports past their expiry, and of failed or
        cancelled ones (nothing to download there). The rows stay, saying so."""
        now = now or timezone.now()
        due = ExportJob.objects.filter(file_deleted_at__isnull=True).filter(
            Q(status=ExportStatus.SUCCEEDED, expires_at__lte=now)
            | Q(status__in=(ExportStatus.FAILED, ExportStatus.CANCELLED))
        )
        count = 0
        for job in due.only("id", "workspace_id", "file_name"):
            if job.file_name:
                export_path(job).unlink(missing_ok=True)
                export_xlsx_path(job).unlink(missing_ok=True)
            count += ExportJob.objects.filter(id=job.id, file_deleted_at__isnull=True).update(file_deleted_at=now)
        return count


EXPORTS = Exports()


TEXT_DATES = ("cleaned_at", "created_at", "archived_at")


def _rows(job: ExportJob) -> QuerySet[Contact]:
    # Dates leave the database as text: building a datetime per cell only to print it
    # again was the export's biggest cost (P3).
    qs = exported_contacts(workspace=job.workspace, scope=job.scope, params=job.filter)
    return qs.annotate(**{f"{name}_text": IsoUtc(name) for name in TEXT_DATES})


def _chunk(job: ExportJob, *, after: int, size: int) -> list[tuple]:
    """The next `size` rows after contact id `after`: (id, *cells in the header's order).
    The contacts export adds, per chunk and in a fixed number of queries, the lists,
    tags and account (from the open archive snapshot for an archived contact) and the
    day an archived contact will be deleted (A5)."""
    header = export_header(job.scope)
    columns = ["archived_at" if c in ("deleted_on",) else c for c in header if c not in EXTRAS[:3]]
    fields = [f"{c}_text" if c in TEXT_DATES else c for c in dict.fromkeys(columns)]
    qs = _rows(job).filter(id__gt=after).order_by("id")
    if job.scope == ExportScope.CLEANED:
        return list(qs.values_list("id", *fields)[:size])
    found = list(qs.values("id", "archived_at", *fields)[:size])
    extras = contact_export_extras(contact_ids=[r["id"] for r in found])
    out = []
    for r in found:
        lists, tags, account = extras.get(r["id"], ("", "", ""))
        deleted = restorable_until(r["archived_at"])
        values = {**r, "lists": lists, "tags": tags, "account": account}
        values["deleted_on"] = deleted.date().isoformat() if deleted else ""
        out.append((r["id"], *(values[f"{c}_text" if c in TEXT_DATES else c] for c in header)))
    return out


def export_create(*, workspace: Workspace, actor, params: dict, scope: str = ExportScope.CLEANED) -> ExportJob:
    """C4: queue a CSV export of the contacts matching `params`; it runs in the
    background and appears on the Exports page (and in the API) when done."""
    return EXPORTS.create_export(workspace=workspace, actor=actor, scope=scope, params=params)


def export_gone(job: ExportJob) -> str:
    """C4: why an export cannot be downloaded any more."""
    if job.withdrawn:
        return _("This export's file was deleted because it held a contact who was erased. Start a new export.")
    if job.expires_at and job.status == ExportStatus.SUCCEEDED:
        return _("This export's file was deleted on %(day)s: exports are kept %(days)s days. Start a new export.") % {
            "day": date_format(job.expires_at, "DATE_FORMAT"),
            "days": settings.EXPORT_RETENTION_DAYS,
        }
    return _("This export's file is no longer available. Start a new export.")


def export_cancel(*, workspace: Workspace, export_id: int, actor) -> bool:
    """C4/A6: an admin stops a queued or running export; its partial file is deleted by
    the next sweep. False when it is not this workspace's or already finished."""
    if not ExportJob.objects.filter(workspace=workspace, id=export_id).exists():
        return False
    reason = _("Cancelled by %(user)s.") % {"user": actor.get_username()}
    return EXPORTS.cancel(job_id=export_id, actor=actor, reason=reason)
