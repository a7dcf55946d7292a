"""P5: the archived list's rows, rendered in Python as Django's admin renders the rows of
its change lists (`admin_list.items_for_result`). Through the template engine each of a
page's 50 rows cost about half a millisecond of CPU (some thirty nodes, two URL reversals,
four translations); here the words are translated and the URLs reversed once per page,
and each row is one f-string. Every value from the database is escaped with the standard
library's `html.escape`, which is what Django's `escape` calls (without its lazy-string
wrapper, a tenth of the rows' time); the translated sentences are escaped too, as
`{% translate %}` escapes them, except the one that carries a link."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from contacts_app.lifecycle import Outcome
from contacts_app.models import ContactStatus
from contacts_app.templatetags.days import day_in

register = template.Library()

_ID = 2_000_000_001  # a sentinel id: the contact page's URL reversed once, the id put in per row


@register.simple_tag(takes_context=True)
def archived_rows(context, rows) -> str:
    """`{% archived_rows page.object_list %}`: the <tr> of each archived or merged
    contact, with its selection box and restore button for an admin."""
    before, after = (
        escape(part) for part in reverse("contacts:detail", args=[context["workspace"].slug, _ID]).split(str(_ID))
    )
    words = {
        "admin": bool(context.get("is_workspace_admin")),
        "url": (before, after),
        "merged": f'<span class="badge merged">{escape(_("Merged"))}</span>',
        "archived": f'<span class="badge archived">{escape(_("Archived"))}</span>',
        "cleaned": f' <span class="badge cleaned">{escape(_("Cleaned"))}</span>',
        "restore": escape(_("Restore")),
        "now": escape(pgettext("restorable from", "Now")),
        "select": _("Select %(email)s"),
        "by": _("by %(who)s"),
        "into": _('into <a href="%(into_url)s">%(email)s</a>'),
        "language": get_language(),
        # U2: on a phone each row is a card, each cell under its column's name.
        "labels": {
            key: f' data-label="{escape(label)}"'
            for key, label in (
                ("email", _("Email")),
                ("name", _("Name")),
                ("archived", _("Archived")),
                ("from", _("Restorable from")),
                ("until", _("Deletion date")),
                ("status", _("Status")),
            )
        },
    }
    return mark_safe("\n".join(_row(c, words) for c in rows))


BUTTON = '<button type="submit" form="row-restore-form" name="ids" value="{id}" class="btn small row-restore"'


def _row(c, words: dict) -> str:
    merged = c.status == ContactStatus.MERGED
    before, after = words["url"]
    language = words["language"]
    cells = []
    if words["admin"]:
        label = escape(words["select"] % {"email": c.email})
        cells.append(
            f'<td class="check-cell"><input class="row-check" type="checkbox" name="ids" value="{c.id}"'
            f' form="selection-form" aria-label="{label}"></td>'
        )
    label = words["labels"]
    cells.append(f'<td class="email"{label["email"]}><a href="{before}{c.id}{after}">{escape(c.email)}</a></td>')
    cells.append(f'<td class="name"{label["name"]}>{escape(c.full_name or "—")}</td>')
    by = ""
    if c.archived_by_id:
        by = f'<span class="why">{escape(words["by"] % {"who": c.archived_by.get_username()})}</span>'
    cells.append(f'<td class="date"{label["archived"]}>{escape(day_in(c.archived_at, language=language))}{by}</td>')
    reason = c.restore_reason  # set by the view beside restore_block, as restorable_from and purge_on
    if merged or reason == Outcome.EXPIRED:
        restorable = "—"  # never, or no longer
    elif reason is None:
        restorable = words["now"]  # not a date already past
    else:
        restorable = escape(day_in(c.restorable_from, language=language))
    cells.append(f'<td class="date"{label["from"]}>{restorable}</td>')
    cells.append(f'<td class="date"{label["until"]}>{escape(day_in(c.purge_on, language=language))}</td>')
    status = words["merged"] if merged else words["archived"]
    if merged and c.merged_into_id:
        into = words["into"] % {"into_url": f"{before}{c.merged_into_id}{after}", "email": escape(c.merged_into.email)}
        status = f'{status} <span class="why">{into}</span>'
    cells.append(f"<td{label['status']}>{status}{words['cleaned'] if c.is_cleaned else ''}</td>")
    if words["admin"]:
        button = BUTTON.format(id=c.id)
        block = escape(c.restore_block)
        if merged:
            cells.append(f'<td><span class="why">{block}</span></td>')
        elif block:
            cells.append(
                f'<td>{button} data-restore-id="{c.id}" disabled title="{block}">{words["restore"]}</button>'
                f' <span class="why">{block}</span></td>'
            )
        else:
            cells.append(f'<td>{button} data-restore-id="{c.id}">{words["restore"]}</button></td>')
    return f"<tr>{''.join(cells)}</tr>"
