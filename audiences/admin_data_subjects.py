"""The customer page's data-subject requests: export the customer's data, erase it (after a confirmation page),
and the list of every request made (who, when, how it went)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audiences.data_subjects import services
from audiences.data_subjects.export import as_json
from audiences.data_subjects.registry import data_sections
from audiences.models import Customer, DataSubjectRequest
from config.admin_safety import KeptForTheRecord

# An export reads (Analysts too, who see the customer page); an erasure writes (Marketers, Administrators).
EXPORT_PERMISSION = "audiences.view_datasubjectrequest"
ERASURE_PERMISSION = "audiences.add_datasubjectrequest"


def customer_data_subject_urls(model_admin) -> list:
    site = model_admin.admin_site
    return [
        path(
            "<int:customer_id>/export-data/",
            site.admin_view(lambda request, customer_id: export_view(model_admin, request, customer_id)),
            name="audiences_customer_export_data",
        ),
        path(
            "<int:customer_id>/erase/",
            site.admin_view(lambda request, customer_id: erase_view(model_admin, request, customer_id)),
            name="audiences_customer_erase",
        ),
    ]


def _customer(request, customer_id: int, permission: str) -> Customer:
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return get_object_or_404(Customer, pk=customer_id)


def _customer_page(customer: Customer):
    return redirect("admin:audiences_customer_change", customer.pk)


def export_view(model_admin, request, customer_id: int):
    """The customer's data as a JSON file; a big history is written in the background (the Exports job page)."""
    customer = _customer(request, customer_id, EXPORT_PERMISSION)
    if request.method != "POST":  # each export is recorded: a link followed by a crawler or a prefetch must not
        return _customer_page(customer)
    recorded, data = services.customer_export(customer=customer, user=request.user)
    if data is None:
        messages.info(request, "The customer's history is big: their data is being written in the background.")
        return redirect("admin:export_job", recorded.export_job_id)
    response = HttpResponse(as_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-data.json"'
    return response


def erase_view(model_admin, request, customer_id: int):
    """Asks first, saying what goes and what stays; erases in the background once confirmed."""
    customer = _customer(request, customer_id, ERASURE_PERMISSION)
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        services.erasure_request(customer=customer, user=request.user)
        messages.success(
            request, f"Customer {customer.external_id} is being erased; Data-subject requests shows when it is done."
        )
        return _customer_page(customer)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Customer._meta,
        "title": f"Erase customer {customer.external_id}?",
        "customer": customer,
        "sections": [section.title for section in data_sections() if section.erase is not None],
        "already": DataSubjectRequest.objects.filter(customer=customer, kind=DataSubjectRequest.Kind.ERASURE)
        .exclude(status=DataSubjectRequest.Status.FAILED)
        .first(),
    }
    return TemplateResponse(request, "admin/audiences/customer/erase_confirmation.html", context)


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(KeptForTheRecord, admin.ModelAdmin):
    list_display = ["requested_at", "kind", "customer_link", "status", "requested_by", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["customer__external_id"]
    list_select_related = ["customer", "requested_by"]
    readonly_fields = [
        "kind", "customer", "requested_by", "requested_at", "status", "steps_done", "export_job", "error",
        "finished_at",
    ]  # fmt: skip
    date_hierarchy = "requested_at"

    def has_add_permission(self, request):
        return False  # asked for from the customer page or the API

    @admin.display(description="customer", ordering="customer__external_id")
    def customer_link(self, row):
        url = reverse("admin:audiences_customer_change", args=[row.customer_id])
        return format_html('<a href="{}">{}</a>', url, row.customer.external_id)
