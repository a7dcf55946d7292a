"""G1–G3 pages: erase a contact or a selection (a confirmation that states what goes,
a reason, the typed word), the access request (a readable page and its JSON file), the
suppression list, and erasure jobs' progress. Admins only (S1); parse, call services."""

import json

from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts_app import selectors
from contacts_app.access_request import contact_data, contact_data_counts, contact_data_sections
from contacts_app.filters import archived_filter
from contacts_app.lib.errors import InvalidInput
from contacts_app.models import ErasureOutcome
from contacts_app.services import suppression as suppressions
from contacts_app.services.erasure_jobs import (
    CONFIRMATION_WORD,
    erasable_ids,
    erasure_confirmation_check,
    erasure_consequences,
    erasure_request,
)
from contacts_app.web.access import handles_service_errors, workspace_view
from contacts_app.web.forms import SelectionForm
from contacts_app.web.jobs import NO_WORKER_AFTER, job_status_response
from contacts_app.web.pagination import paginate

MAX_UPLOAD_BYTES = 2_000_000  # S4: a pasted or uploaded list of addresses


class EraseForm(SelectionForm):
    """G1: what to erase (ticked ids, or every contact of the archived list's filter),
    why, and the typed word."""

    reason = forms.CharField(required=False, strip=False)
    confirmation = forms.CharField(required=False, strip=False, max_length=100)

    def contact_ids(self, *, workspace) -> list[int]:
        data = self.cleaned_or_error()
        if not data["select_all"]:
            return data["ids"]
        self.filterset = archived_filter(QueryDict(data["filter"] or ""), workspace=workspace)
        return erasable_ids(workspace=workspace, queryset=self.filterset.qs_or_error())

    def criteria(self) -> list[tuple[str, str]]:
        """ "All matching": the archived list's filters, in words (the confirmation's)."""
        filterset = getattr(self, "filterset", None)
        return [c for c in filterset.described() if c[0] != "sort"] if filterset else []

    def selection(self) -> dict:
        data = self.cleaned_data
        if data.get("select_all"):
            return {"filter": {k: v for k, v in QueryDict(data["filter"] or "").items() if v and k != "page"}}
        return {"ids": len(data.get("ids") or [])}


def _contact_or_404(request, contact_id: int):
    contact = selectors.contact_detail(workspace=request.workspace, contact_id=contact_id)
    if contact is None:
        raise Http404(_("No such contact."))  # another workspace's too (S2)
    return contact


def _confirm_page(request, *, form, ids, contact=None, error: str = "", status: int = 200):
    context = {
        "data": form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {},
        "typed": form.data,
        "ids": ids,
        "contact": contact,
        "count": len(ids),
        "word": CONFIRMATION_WORD,
        "error": error,
        "consequences": erasure_consequences(workspace=request.workspace, contact_ids=ids),
        "deals": selectors.archive_consequences(workspace=request.workspace, contact_ids=ids),
        "held": contact_data_counts(contact=contact) if contact is not None else [],
        "criteria": form.criteria() if contact is None else [],
    }
    return render(request, "contacts/erase_confirm.html", context, status=status)


def _erase(request, *, form, ids, contact=None):
    try:
        erasure_confirmation_check(form.cleaned_data.get("confirmation", ""))
        result = erasure_request(
            workspace=request.workspace,
            actor=request.user,
            contact_ids=ids,
            reason=form.cleaned_data.get("reason", ""),
            selection=form.selection(),
            all_matching=form.cleaned_data.get("select_all", False),
        )
    except InvalidInput as error:  # U1: the confirmation again, with what was typed and why
        return _confirm_page(request, form=form, ids=ids, contact=contact, error=error.detail, status=400)
    if result.job is None and not result.erased:
        messages.warning(request, _("No contact was erased: none of those selected is in this workspace any more."))
    else:
        messages.success(request, result.message())
    if result.job is not None:
        return redirect("contacts:erasure_job", slug=request.workspace.slug, number=result.job.number)
    return redirect(
        "restore:archived" if contact is None or contact.status != "active" else "contacts:list",
        slug=request.workspace.slug,
    )


@require_http_methods(["GET", "POST"])
@workspace_view(admin_only=True)
@handles_service_errors
def contact_erase(request, contact_id: int):
    """G1: GET states what erasing this contact deletes and asks why; POST erases."""
    contact = _contact_or_404(request, contact_id)
    data = request.POST.copy()
    data.setlist("ids", [str(contact.id)])  # this contact, whatever else was posted (S2)
    data["select_all"] = "0"
    form = EraseForm(data)
    form.cleaned_or_error()
    if request.method == "GET":
        return _confirm_page(request, form=form, ids=[contact.id], contact=contact)
    return _erase(request, form=form, ids=[contact.id], contact=contact)


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def contacts_erase_confirm(request):
    """G1: the archived list's "Erase…" (ticked, or all matching): the confirmation."""
    form = EraseForm(request.POST)
    return _confirm_page(request, form=form, ids=form.contact_ids(workspace=request.workspace))


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def contacts_erase(request):
    form = EraseForm(request.POST)
    return _erase(request, form=form, ids=form.contact_ids(workspace=request.workspace))


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def contact_data_view(request, contact_id: int):
    """G3: everything held about the contact; `?format=json` downloads it as a file."""
    contact = _contact_or_404(request, contact_id)
    if request.GET.get("format") == "json":
        body = json.dumps(contact_data(contact=contact), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="contact-{contact.id}-data.json"'
        return response
    if request.GET.get("format") not in (None, "", "html"):
        raise InvalidInput(_("Format must be json or html."), code="invalid_format")
    sections = [
        (section, [[(label, row.get(key)) for key, label in section.columns] for row in rows])
        for section, rows in contact_data_sections(contact=contact)
    ]
    return render(request, "contacts/contact_data.html", {"contact": contact, "sections": sections})


class SuppressForm(forms.Form):
    addresses = forms.CharField(
        label=gettext_lazy("Addresses, one per line"), required=False, strip=False, widget=forms.Textarea
    )
    file = forms.FileField(
        label=gettext_lazy("Or a file (one address per line, or a CSV whose first column is the address)"),
        required=False,
    )
    reason = forms.CharField(label=gettext_lazy("Why (kept with them)"), required=False, strip=False)

    def lines(self) -> list[tuple[str, str]]:
        """(where, address) of every line: the box's, then the file's (its header skipped)."""
        lines = [
            (_("Line %(n)s") % {"n": n}, text)
            for n, text in enumerate((self.cleaned_data.get("addresses") or "").splitlines(), 1)
        ]
        upload = self.cleaned_data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise InvalidInput(_("The file is larger than 2 MB."), code="body_too_large")
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InvalidInput(_("The file is not UTF-8 text."), code="invalid_file") from None
            for n, line in enumerate(text.splitlines(), 1):
                cell = line.split(",")[0].strip().strip('"')
                if cell and cell.lower() not in ("email", "address"):
                    lines.append((_("File, line %(n)s") % {"n": n}, cell))
        return lines


@require_http_methods(["GET", "POST"])
@workspace_view(admin_only=True)
@handles_service_errors
def suppressions_page(request):
    """G2: the list (hand-made entries show their address; erased ones only that they
    are a hash), and the form that adds addresses to it."""
    form = SuppressForm()
    error = ""
    status = 200
    if request.method == "POST":
        form = SuppressForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                lines = form.lines()
                added, already = suppressions.suppressions_add(
                    workspace=request.workspace,
                    actor=request.user,
                    addresses=[address for _place, address in lines],
                    places=[place for place, _address in lines],
                    reason=form.cleaned_data["reason"],
                )
            except InvalidInput as exc:
                error, status = exc.detail, exc.status
            else:
                messages.success(request, suppressions.suppressions_added_message(added, already))
                return redirect("contacts:suppressions", slug=request.workspace.slug)
        else:
            error, status = " ".join(m for errs in form.errors.values() for m in errs), 400
    page, _per_page = paginate(request, selectors.suppressions(workspace=request.workspace))
    context = {"form": form, "error": error, "page": page, "rows": page.object_list}
    return render(request, "contacts/suppressions.html", context, status=status)


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def suppression_remove(request, suppression_id: int):
    """G2: Remove asks first (what coming off the list means), then removes."""
    if request.POST.get("confirm") != "1":
        row = selectors.suppressions(workspace=request.workspace).filter(id=suppression_id).first()
        if row is None:
            raise Http404(_("This address is not on the suppression list."))
        return render(request, "contacts/suppression_remove.html", {"row": row})
    row = suppressions.suppression_remove(
        workspace=request.workspace, actor=request.user, suppression_id=suppression_id
    )
    messages.success(
        request,
        _("%(address)s can be added again.") % {"address": row.address}
        if row.address
        else _("The erased address can be added again."),
    )
    return redirect("contacts:suppressions", slug=request.workspace.slug)


def _job_or_404(request, number: int):
    job = selectors.erasure_job(workspace=request.workspace, number=number)
    if job is None:
        raise Http404(_("No such erasure job."))
    return job


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def erasure_jobs_list(request):
    page, _per_page = paginate(request, selectors.erasure_jobs(workspace=request.workspace))
    return render(request, "contacts/erasure_jobs.html", {"jobs": page.object_list, "page": page})


@require_GET
@workspace_view(admin_only=True)
def erasure_job_detail(request, number: int):
    job = _job_or_404(request, number)
    context = {
        "job": job,
        "no_worker_after": NO_WORKER_AFTER,
        "watch": job.keeps_polling,
        "not_found_label": ErasureOutcome.NOT_FOUND.label,
    }
    return render(request, "contacts/erasure_job.html", context)


@require_GET
@workspace_view(admin_only=True)
def erasure_job_status(request, number: int):
    job = _job_or_404(request, number)
    return job_status_response(job, erased=job.erased, skipped=job.skipped_total)
