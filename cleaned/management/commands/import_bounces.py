"""Import bounce events from a CSV (header: id,email,type,occurred_at,reason and,
optionally, code and diagnostic: C7) or
JSONL file (one event object per line), through the same service as the webhooks."""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cleaned.parsing import bounce_inputs
from cleaned.services import bounces
from contacts_app.lib.errors import ServiceError
from contacts_app.models import Workspace

BATCH = 5000


class Command(BaseCommand):
    help = "Apply bounce events from a CSV or JSONL file to a workspace (C1). Duplicates are ignored."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--provider", default="file", help="Event ids are unique per provider.")

    def handle(self, *args, file: str, workspace: str, provider: str, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        totals = bounces.BounceResult()
        for batch in self._batches(path):
            try:
                result = bounces.bounces_apply(
                    workspace=ws, provider=provider, events=bounce_inputs(batch), actor_label=f"import:{path.name}"
                )
            except ServiceError as error:
                raise CommandError(f"{path.name}: {error.detail} Nothing from this batch was applied.") from None
            totals.accepted += result.accepted
            totals.duplicates += result.duplicates
            totals.cleaned += result.cleaned
            totals.suppressed += result.suppressed
        self.stdout.write(
            f"{totals.accepted} events applied, {totals.duplicates} duplicates ignored, "
            f"{totals.cleaned} contacts cleaned."
            + (
                f" {totals.suppressed} events refused: their address is on the suppression list (not recorded)."
                if totals.suppressed
                else ""
            )
        )

    def _batches(self, path: Path):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
                rows = []
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        try:
                            rows.append(json.loads(line))
                        except ValueError:
                            raise CommandError(f"{path.name} line {n}: not valid JSON.") from None
            else:
                rows = list(csv.DictReader(fh))
        for start in range(0, len(rows), BATCH):
            yield rows[start : start + BATCH]
