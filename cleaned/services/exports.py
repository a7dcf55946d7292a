"""C4: background CSV exports — of the cleaned view's contacts (its page) or of any
contact filter (the API): streamed, picked up by the sweeper, claimed by a
conditional update."""

import secrets
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contacts_app.audit import audit_log
from contacts_app.filters import ContactFilter
from contacts_app.jobs.queueing import publish, publish_soon
from contacts_app.lib.csv_stream import IsoUtc, csv_chunks
from contacts_app.models import AuditEvent, Contact, Workspace

from ..models import ExportJob, ExportScope, ExportStatus
from ..selectors import cleaned_contacts

RUN_TASK = "cleaned.tasks.export_run_task"


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
EXPORT_PROGRESS_EVERY = 5000


def exported_contacts(*, workspace: Workspace, scope: str, params: dict) -> QuerySet[Contact]:
    """The contacts an export holds: `params` is a contact filter (S4: an invalid one
    is refused), within the cleaned view for the page's exports."""
    if scope == ExportScope.CLEANED:
        return cleaned_contacts(workspace=workspace, params=params)
    return ContactFilter(params, workspace=workspace).qs_or_error()


def export_create(*, workspace: Workspace, actor, params: dict, scope: str = ExportScope.CLEANED) -> ExportJob:
    """C4: queue a CSV export of the contacts matching `params`; it runs in the
    background and appears on the Exports page (and in the API) when done."""
    total = exported_contacts(workspace=workspace, scope=scope, params=params).count()
    with transaction.atomic():
        job = ExportJob.objects.create(workspace=workspace, requested_by=actor, scope=scope, filter=params, total=total)
        audit_log(
            workspace_id=workspace.id,
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            count=total,
            details={"export": job.id, "filter": params},
        )
        transaction.on_commit(lambda: export_enqueue_soon(export_id=job.id))
    return job


def export_enqueue_soon(*, export_id: int) -> None:
    publish_soon(lambda: publish(RUN_TASK, export_id), name=f"enqueue-export-{export_id}")


def exports_sweep(*, now=None) -> int:
    """Periodic: enqueue exports that were accepted but never started (broker down
    or message lost). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_AFTER)
    ids = list(ExportJob.objects.filter(status=ExportStatus.QUEUED, created_at__lt=cutoff).values_list("id", flat=True))
    for export_id in ids:
        publish(RUN_TASK, export_id)
    return len(ids)


def export_path(job) -> Path:
    return Path(settings.EXPORTS_DIR) / str(job.workspace_id) / job.file_name


def export_run(*, export_id: int) -> str:
    """Write the CSV streaming rows from the database (constant memory), UTF-8 with a
    header and formula-neutralised cells. Claimed with a conditional update, so a
    duplicate delivery does nothing."""
    name = f"cleaned-contacts-{export_id}-{secrets.token_hex(8)}.csv"
    if not ExportJob.objects.filter(id=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, file_name=name
    ):
        return "not_claimed"
    job = ExportJob.objects.get(id=export_id)
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Dates leave the database as text: building a datetime per cell only to print it
    # again was the export's biggest cost (P3).
    text_dates = {f"{name}_text": IsoUtc(name) for name in ("cleaned_at", "created_at")}
    rows = (
        exported_contacts(workspace=job.workspace, scope=job.scope, params=job.filter)
        .annotate(**text_dates)
        .order_by("id")
        .values_list(*[f"{c}_text" if f"{c}_text" in text_dates else c for c in EXPORT_HEADER])
    )
    counter = {"rows": 0}

    def counted():
        for row in rows.iterator(chunk_size=EXPORT_PROGRESS_EVERY):
            counter["rows"] += 1
            if counter["rows"] % EXPORT_PROGRESS_EVERY == 0:
                ExportJob.objects.filter(id=export_id).update(rows=counter["rows"])
                if settings.EXPORT_BATCH_PAUSE:  # spare a busy database between batches
                    time.sleep(settings.EXPORT_BATCH_PAUSE)
            yield row

    try:
        with path.open("wb") as fh:
            for block in csv_chunks(EXPORT_HEADER, counted()):
                fh.write(block)
    except Exception as exc:
        ExportJob.objects.filter(id=export_id).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(id=export_id).update(
        status=ExportStatus.SUCCEEDED, rows=counter["rows"], finished_at=timezone.now()
    )
    return "done"
