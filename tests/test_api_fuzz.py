"""Property-based fuzz of the live API against its own OpenAPI document (schemathesis):
every operation, every check (no server error, documented status codes, response
bodies and headers matching the schema, schema-violating input refused, unsupported
methods, auth ignored nowhere…). Deterministic generation, bounded in examples, so it
neither flakes nor grows past a couple of minutes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contacts_app.api.auth import api_token_create
from contacts_app.models import Form

from .factories import make_contact, make_contacts, make_list, make_tag
from .restore_helpers import archive

CONFIG = Path(__file__).parent / "fuzz" / "schemathesis.toml"
EXAMPLES = os.getenv("API_FUZZ_EXAMPLES", "25")


@pytest.mark.django_db(transaction=True)
def test_s4_api_fuzz_finds_no_failure(live_server, workspace, admin_user, other_workspace, tmp_path):
    # Something for every operation to find: contacts in each state, a list and tag,
    # a form, and another workspace whose ids must behave as unknown (S2).
    make_list(workspace, "Newsletter")
    make_tag(workspace, "vip")
    Form.objects.create(workspace=workspace, name="Signup", is_active=True)
    make_contacts(workspace, 5)
    archive(workspace, make_contacts(workspace, 5), days=40)
    make_contact(workspace, email_status="cleaned")
    make_contacts(other_workspace, 3)
    token = api_token_create(workspace=workspace, user=admin_user)
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(schemathesis),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/v1/schema",
            "-H",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--generation-deterministic",  # the same cases every run, and no example database: no flakes
            "--max-examples",
            EXAMPLES,
            "--workers",
            "1",
            "--no-color",
            "--request-timeout",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    assert " passed" in summary and "failure" not in summary.lower(), summary
