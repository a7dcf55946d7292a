"""U3: English and French. The language follows the browser and the top bar's switch
(remembered), numbers and dates follow it, every message has its French translation,
plurals agree with 1 and 2, API error codes stay English while their detail follows
Accept-Language."""

import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from .factories import make_contact, make_contacts

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [ROOT / "locale" / "fr" / "LC_MESSAGES" / f"{domain}.po" for domain in ("django", "djangojs")]


def test_u3_makemessages_finds_no_untranslated_or_fuzzy_message():
    """Runs makemessages as a developer would after changing a template, a Python
    message or a script, then puts the catalogues back as they were: a message left
    without its French translation fails here."""
    saved = {p: p.read_bytes() for p in CATALOGUES}
    try:
        for domain in ("django", "djangojs"):
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "fr",
                    "-d",
                    domain,
                    "--no-location",
                    "--ignore=.venv",
                    "--ignore=var",
                    "--ignore=tests",
                    "--ignore=bench",
                    "--ignore=docs",
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        problems = []
        for path in CATALOGUES:
            catalogue = polib.pofile(str(path))
            problems += [f"{path.name}: untranslated: {e.msgid!r}" for e in catalogue.untranslated_entries()]
            problems += [f"{path.name}: fuzzy: {e.msgid!r}" for e in catalogue.fuzzy_entries()]
    finally:
        for path, data in saved.items():
            path.write_bytes(data)
    assert not problems, "\n".join(problems)


def test_u3_plural_forms_agree_with_one_and_two_contacts():
    with translation.override("fr"):
        assert ngettext("Archived %(n)s contact.", "Archived %(n)s contacts.", 1) % {"n": 1} == "1 contact archivé."
        assert ngettext("Archived %(n)s contact.", "Archived %(n)s contacts.", 2) % {"n": 2} == "2 contacts archivés."
    with translation.override("en"):
        assert ngettext("Archived %(n)s contact.", "Archived %(n)s contacts.", 1) % {"n": 1} == "Archived 1 contact."


@pytest.mark.parametrize("count, text", [(1, "1\u00a0contact"), (2, "2\u00a0contacts")])
def test_u3_the_contacts_page_counts_in_french_with_plurals(admin_client, workspace, count, text):
    make_contacts(workspace, count)
    page = admin_client.get(reverse("contacts:list", args=[workspace.slug]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert text.replace("\u00a0", " ") in page.replace("\u00a0", " ")
    assert "Afficher les contacts archivés" in page and '<html lang="fr">' in page


def test_u3_language_follows_the_browser_and_the_top_bar_switch_is_remembered(admin_client, workspace):
    url = reverse("restore:archived", args=[workspace.slug])
    assert "Archived contacts" in admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Contacts archivés" in admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    response = admin_client.post(reverse("set_language"), {"language": "fr", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()  # the choice wins over the browser
    assert "Contacts archivés" in page and 'id="language-en"' in page


def test_u3_numbers_and_dates_follow_the_language(admin_client, workspace):
    workspace.contact_limit = 1850
    workspace.save()
    make_contact(workspace)
    url = reverse("contacts:list", args=[workspace.slug])
    assert "1 billable of 1,850 in your plan" in admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 facturable sur 1\u00a0850 dans votre forfait" in french
    with translation.override("fr"):
        from datetime import UTC, datetime

        from django.template import Context, Template

        day = datetime(2026, 11, 23, tzinfo=UTC)
        assert Template("{{ d|date }}").render(Context({"d": day})) == "23 nov. 2026"


def test_u3_api_error_codes_stay_english_and_the_detail_follows_accept_language(workspace, admin_user):
    from django.test import Client

    from contacts_app.api.auth import api_token_create

    token = api_token_create(workspace=workspace, user=admin_user)
    response = Client().get(
        "/api/v1/restore-jobs/999999", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Cette restauration n'existe pas."}


def test_u3_the_french_catalogue_uses_the_help_articles_words():
    with translation.override("fr"):
        from django.utils.translation import gettext

        assert gettext("Show archived contacts") == "Afficher les contacts archivés"
        assert gettext("Restore") == "Restaurer"
        assert gettext("Confirm restore") == "Confirmer la restauration"
        assert gettext("Cleaned") == "Nettoyé"
        assert "période de gel de 30 jours" in gettext("Archived less than 30 days ago")
        assert gettext("What comes back:") == "Ce qui revient\u00a0:"  # French typography: no-break space before « : »


def test_u3_every_counted_french_message_has_both_forms_with_their_placeholders():
    """French plural slips (« Restaurer les 1 sélectionnés »): every message with a count
    has a singular and a plural; the plural keeps every placeholder of the English."""
    import re

    import polib

    placeholder = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
    problems = []
    for name in ("django.po", "djangojs.po"):
        for entry in polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / name)):
            if not entry.msgid_plural or entry.obsolete:
                continue
            forms = entry.msgstr_plural
            if not forms.get(0) or not forms.get(1):
                problems.append(f"{name}: {entry.msgid!r} lacks a form")
                continue
            wanted = {a or b for a, b in placeholder.findall(entry.msgid_plural)}
            found = {a or b for a, b in placeholder.findall(forms[1])}
            if wanted - found:
                problems.append(f"{name}: {entry.msgid_plural!r} loses {wanted - found} in French")
    assert not problems, "\n".join(problems)


def test_u3_french_dates_abbreviate_months_as_french_typography_does():
    from datetime import date

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("fr"):
        assert [date_format(date(2026, m, 1)) for m in (1, 2, 4)] == ["1 janv. 2026", "1 févr. 2026", "1 avr. 2026"]


@pytest.mark.parametrize(
    "restored,skipped,expected",
    [
        (1, 0, "Restauration n° 1 réussie\u00a0: 1 restauré, 0 non restauré sur 1 demandé."),
        (
            2,
            3,
            "Restauration n° 1 terminée avec des contacts ignorés\u00a0: 2 restaurés, 3 non restaurés sur 5 demandés.",
        ),
    ],
)
def test_u3_a_finished_jobs_summary_agrees_each_count_in_french(workspace, restored, skipped, expected):
    """« 1 restaurés, 0 non restaurés »: each count of a job's summary is its own plural."""
    from django.utils import translation

    from restore.models import RestoreJob
    from restore.services.notify import restore_job_summary

    job = RestoreJob.objects.create(
        workspace=workspace,
        status="succeeded",
        requested=restored + skipped,
        cursor=restored + skipped,
        restored=restored,
        skipped_frozen=skipped,
    )
    with translation.override("fr"):
        assert restore_job_summary(job) == expected
