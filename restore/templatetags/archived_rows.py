"""P5: the archived list's rows, rendered in Python as Django's admin renders the rows of
its change lists (`admin_list.items_for_result`). Through the template engine each of a
page's 50 rows cost about half a millisecond of CPU (some thirty nodes, two URL reversals,
four translations); here the words are translated and the URLs reversed once per page.
Every value from the database goes through `format_html` (escaped); the translated
sentences are trusted as a template's `blocktranslate` trusts them."""

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from contacts_app.models import ContactStatus
from contacts_app.templatetags.days import day_filter

register = template.Library()

_ID = 2_000_000_001  # a sentinel id: the contact page's URL reversed once, the id put in per row


@register.simple_tag(takes_context=True)
def archived_rows(context, rows) -> str:
    """`{% archived_rows page.object_list %}`: the <tr> of each archived or merged
    contact, with its selection box and restore button for an admin."""
    admin = bool(context.get("is_workspace_admin"))
    before, after = reverse("contacts:detail", args=[context["workspace"].slug, _ID]).split(str(_ID))
    words = {
        "merged": format_html('<span class="badge merged">{}</span>', _("Merged")),
        "archived": format_html('<span class="badge archived">{}</span>', _("Archived")),
        "cleaned": format_html(' <span class="badge cleaned">{}</span>', _("Cleaned")),
        "restore": _("Restore"),
    }
    return format_html_join("\n", "{}", ((_row(c, admin=admin, url=(before, after), words=words),) for c in rows))


CHECK = '<td><input class="row-check" type="checkbox" name="ids" value="{}" form="selection-form" aria-label="{}"></td>'
BUTTON = '<button type="submit" form="row-restore-form" name="ids" value="{}" class="btn small row-restore"'
RESTORE = "<td>" + BUTTON + ' data-restore-id="{}">{}</button></td>'
BLOCKED = "<td>" + BUTTON + ' data-restore-id="{}" disabled title="{}">{}</button> <span class="why">{}</span></td>'


def _row(c, *, admin: bool, url: tuple[str, str], words: dict) -> str:
    merged = c.status == ContactStatus.MERGED
    cells = []
    if admin:
        cells.append(format_html(CHECK, c.id, _("Select %(email)s") % {"email": c.email}))
    cells.append(format_html('<td><a href="{}{}{}">{}</a></td>', url[0], c.id, url[1], c.email))
    cells.append(format_html("<td>{}</td>", c.full_name or "—"))
    by = ""
    if c.archived_by_id:
        by = format_html('<span class="why">{}</span>', _("by %(who)s") % {"who": c.archived_by.get_username()})
    cells.append(format_html('<td class="date">{}{}</td>', day_filter(c.archived_at), by))
    cells.append(format_html('<td class="date">{}</td>', "—" if merged else day_filter(c.restorable_from)))
    cells.append(format_html('<td class="date">{}</td>', day_filter(c.purge_on)))
    status = words["merged"] if merged else words["archived"]
    if merged and c.merged_into_id:
        into = _('into <a href="%(into_url)s">%(email)s</a>') % {
            "into_url": escape(f"{url[0]}{c.merged_into_id}{url[1]}"),
            "email": escape(c.merged_into.email),
        }
        status = format_html('{} <span class="why">{}</span>', status, mark_safe(into))
    cells.append(format_html("<td>{}{}</td>", status, words["cleaned"] if c.is_cleaned else ""))
    if admin and merged:
        cells.append(format_html('<td><span class="why">{}</span></td>', c.restore_block))
    elif admin and c.restore_block:
        cells.append(format_html(BLOCKED, c.id, c.id, c.restore_block, words["restore"], c.restore_block))
    elif admin:
        cells.append(format_html(RESTORE, c.id, c.id, words["restore"]))
    return format_html("<tr>{}</tr>", mark_safe("".join(cells)))
