from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.urls import path
from import_export.admin import ExportMixin, ImportExportMixin

from audiences import (
    dashboard,  # noqa: F401  (registers its panels on the Reports page)
    exports,  # noqa: F401  (registers its background exports)
    resources,
)
from audiences.admin_calendar import RetailerDateAdmin  # noqa: F401  (registers the local calendar's admin)
from audiences.admin_communications import communications_import_view
from audiences.admin_customer import register_audiences_sections
from audiences.admin_data_subjects import ERASURE_PERMISSION, EXPORT_PERMISSION, customer_data_subject_urls
from audiences.admin_vehicles import VehicleInline
from audiences.customer_page import customer_sections
from audiences.models import (
    Category,
    Consent,
    ConsentRecord,
    Customer,
    CustomerScore,
    Event,
    Order,
    OrderLine,
    Product,
    Segment,
    StockLevel,
    Store,
)
from audiences.places.services import LOCATION_FIELDS, customer_location_fields
from audiences.rfm import rfm_group, rfm_label
from audiences.segment_report import SegmentReportAdminMixin
from audiences.segments import selectors as segment_selectors
from audiences.segments import services as segment_services
from audiences.segments.builder import builder_catalog
from audiences.segments.recheck import customers_mark_changed
from audiences.services.catalog import category_upsert
from audiences.services.consent import consent_record
from audiences.services.orders import order_cancel
from config.admin_navigation import place_in_section
from config.admin_safety import KeptForTheRecord

register_audiences_sections()
place_in_section(
    "audiences",
    "audiences.customer",
    "audiences.segment",
    "audiences.customerscore",
    "audiences.order",
    "audiences.consentrecord",
    "audiences.consent",
    "audiences.datasubjectrequest",
    "audiences.event",
    "audiences.vehicle",
    "audiences.product",
    "audiences.category",
    "audiences.store",
    "audiences.postcodearea",
)
# Marketers plan sends around holidays and sales: the calendar sits with the campaigns.
place_in_section("campaigns", "audiences.retailerdate")


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "country", "currency", "timezone", "latitude", "longitude"]
    list_filter = ["country", "currency", "city"]
    search_fields = ["code", "name", "city"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "path"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        category, _ = category_upsert(code=obj.code, name=obj.name, parent_code=obj.parent.code if obj.parent else None)
        obj.pk, obj.path = category.pk, category.path


class StockLevelInline(admin.TabularInline):
    """Stock comes from the storefront (PUT /api/v1/products/{sku}/stock), which also fires back_in_stock:
    shown here, not edited."""

    model = StockLevel
    extra = 0
    fields = readonly_fields = ["store", "quantity", "restocks", "updated_at"]
    can_delete = False
    verbose_name_plural = "Stock per store (from the storefront's API)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "store")


@admin.register(Product)
class ProductAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.ProductResource]
    list_display = ["sku", "name", "category", "brand", "price", "currency", "in_stock", "consumable"]
    list_filter = ["in_stock", "consumable", "currency", "brand", "category"]
    search_fields = ["sku", "name", "brand"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]
    inlines = [StockLevelInline]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["channel", "topic", "status", "source", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.CustomerResource]

    def get_export_resource_classes(self, request):
        """Export the customers as imported, or with their segments and scores (import takes the first only)."""
        return [resources.CustomerResource, resources.CustomerWithScoresResource]

    list_display = [
        "external_id",
        "full_name",
        "email",
        "phone",
        "city",
        "store",
        "language",
        "orders_count",
        "spent",
        "last_order_at",
    ]
    list_filter = ["language", "store", "city"]
    search_fields = ["external_id", "email", "phone", "first_name", "last_name"]
    list_select_related = ["store"]
    date_hierarchy = "signed_up_at"
    readonly_fields = [
        "currency",
        "location_source",
        "spent",
        "orders_count",
        "first_order_at",
        "last_order_at",
        "erased_at",
        "created_at",
        "updated_at",
    ]
    exclude = ["total_spent"]
    inlines = [VehicleInline, ConsentInline]
    show_full_result_count = False
    change_form_template = "admin/audiences/customer/change_form.html"

    def get_urls(self):
        return [*customer_data_subject_urls(self), *super().get_urls()]

    def has_change_permission(self, request, obj=None):
        """An erased customer's profile is not typed in again (docs/privacy.md)."""
        if obj is not None and obj.erased_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The profile's sections (audiences/customer_page.py) above the form, and the data-subject buttons."""
        customer = self.get_object(request, object_id)
        if customer is not None and self.has_view_permission(request, customer):
            extra_context = {
                **(extra_context or {}),
                "customer_sections": customer_sections(customer, request.user),
                "may_export_data": request.user.has_perm(EXPORT_PERMISSION),
                "may_erase": request.user.has_perm(ERASURE_PERMISSION),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="total spent", ordering="total_spent")
    def spent(self, customer) -> str:
        return f"{customer.currency} {customer.total_spent_display}".strip()

    def save_model(self, request, obj, form, change):
        placing = {name: form.cleaned_data.get(name) for name in LOCATION_FIELDS if name in form.changed_data}
        if placing:  # a postcode places the customer at its area's centre, as through the API
            if {"latitude", "longitude"} & set(placing):
                placing |= {
                    "latitude": form.cleaned_data.get("latitude"),
                    "longitude": form.cleaned_data.get("longitude"),
                }
            current = Customer.objects.filter(pk=obj.pk).first() if change else None
            for name, value in customer_location_fields(placing, current=current).items():
                setattr(obj, name, value)
        super().save_model(request, obj, form, change)
        # The admin's own transaction holds both: an edit by hand moves segments like any other.
        customers_mark_changed(customer_ids=[obj.pk])


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["line_no", "sku", "quantity", "unit_price", "discount", "total"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [resources.OrderResource]
    list_display = ["external_id", "customer", "store", "channel", "placed_at", "currency", "total", "status"]
    list_filter = ["status", "channel", "currency", "store"]
    search_fields = ["external_id", "customer__external_id"]
    list_select_related = ["customer", "store"]
    date_hierarchy = "placed_at"
    raw_id_fields = ["customer"]
    inlines = [OrderLineInline]
    actions = ["cancel_orders"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # orders come from the shop (POST /api/v1/orders or an import)

    def has_change_permission(self, request, obj=None):
        return False  # the admin cancels orders, never edits them

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would skip the cancel path: the customer's statistics and the claims stay

    def has_cancel_permission(self, request):
        return request.user.has_perm("audiences.change_order")

    @admin.action(description="Cancel selected orders", permissions=["cancel"])
    def cancel_orders(self, request, queryset):
        cancelled = sum(order_cancel(order=order)[1] for order in queryset)
        self.message_user(request, f"Cancelled {cancelled} order(s); already cancelled ones were left as they were.")


@admin.register(Event)
class EventAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [resources.EventResource]
    list_display = ["type", "customer", "occurred_at"]
    list_filter = ["type"]
    search_fields = ["customer__external_id", "type", "idempotency_key"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["customer"]
    change_list_template = "admin/audiences/event/change_list.html"  # the export button is added on top

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_communications, cacheable=False)
        custom = [path("import-communications/", view, name="audiences_event_import_communications")]
        return custom + super().get_urls()

    def import_communications(self, request):
        if not self.has_import_communications_permission(request):
            raise PermissionDenied
        return communications_import_view(self, request)

    def has_import_communications_permission(self, request) -> bool:
        return request.user.has_perms(["audiences.add_customer", "audiences.add_event"])

    show_full_result_count = False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(KeptForTheRecord, ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.ConsentRecordResource]
    list_display = ["customer", "channel", "topic", "status", "source", "recorded_at"]
    list_filter = ["channel", "topic", "status", "source"]
    search_fields = ["customer__external_id", "customer__email", "customer__phone"]
    raw_id_fields = ["customer"]

    def has_change_permission(self, request, obj=None):
        return False  # the history is append-only

    def save_model(self, request, obj, form, change):
        record = consent_record(
            customer=obj.customer,
            channel=obj.channel,
            topic=obj.topic,
            status=obj.status,
            source=obj.source or "admin",
            recorded_at=obj.recorded_at,
        )
        obj.pk = record.pk


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["customer", "channel", "topic", "status", "source", "recorded_at"]
    list_filter = ["channel", "topic", "status"]
    search_fields = ["customer__external_id", "customer__email", "customer__phone"]
    raw_id_fields = ["customer"]

    def has_add_permission(self, request):
        return False  # consent changes go through the history (ConsentRecord) via the API or import

    def has_change_permission(self, request, obj=None):
        return False


class RuleBuilderWidget(forms.Textarea):
    """The rules as a visual builder (audiences/rule_builder.js) over the raw JSON, which stays editable as the
    "advanced" view: the builder writes every change back into it, and reads it back when it is edited."""

    template_name = "audiences/rule_builder_widget.html"  # an app template: the form renderer reads no project DIRS

    def __init__(self, *args, exclude_segment: str | None = None, **kwargs):
        super().__init__(*args, attrs={"rows": 8, "cols": 80, "class": "rule-builder-json"}, **kwargs)
        self.exclude_segment = exclude_segment

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["catalog"] = builder_catalog(exclude_segment=self.exclude_segment)
        return context

    class Media:
        js = ["audiences/rule_builder.js"]
        css = {"all": ["audiences/rule_builder.css"]}


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["code", "name", "description", "rules"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "rules" not in self.fields:  # read only (an Analyst): the rules show as text, no builder
            return
        self.fields["rules"].widget = RuleBuilderWidget(exclude_segment=self.instance.code or None)
        self.fields["rules"].help_text = (
            "Build the rules with fields, operators and values; the live count and a sample follow each change. "
            "The JSON below them is the same rules, for pasting or fine edits."
        )

    def clean(self):
        cleaned = super().clean()
        if "rules" in cleaned:
            try:
                segment_services.segment_rules_check(rules=cleaned["rules"], own_code=cleaned.get("code"))
            except ValidationError as exc:
                raise ValidationError(exc.message_dict) from None
        return cleaned


@admin.register(Segment)
class SegmentAdmin(SegmentReportAdminMixin, admin.ModelAdmin):
    form = SegmentForm
    list_display = ["code", "name", "member_count", "refreshed_at", "predefined"]
    list_filter = ["predefined"]
    search_fields = ["code", "name", "description"]
    readonly_fields = ["live_preview", "member_count", "refreshed_at", "origin", "report_link"]
    actions = ["refresh_segments"]

    @admin.display(description="made by")
    def origin(self, obj):
        return "Installed with the engine (still editable)" if obj.predefined else "A marketer, here"

    def get_readonly_fields(self, request, obj=None):
        # A new segment has no saved rules to count: the builder counts the rules as they are built.
        return [*self.readonly_fields, "code"] if obj else [f for f in self.readonly_fields if f != "live_preview"]

    @admin.display(description="Live count and sample of the saved rules")
    def live_preview(self, obj):
        count = segment_selectors.segment_live_count(rules=obj.rules)
        sample = ", ".join(segment_selectors.segment_live_sample(rules=obj.rules))
        return f"{count:,} customers match now. Sample: {sample or '-'}"

    def save_model(self, request, obj, form, change):
        fields = {"name": obj.name, "description": obj.description, "rules": obj.rules}
        if change:
            segment = segment_services.segment_update(segment=Segment.objects.get(pk=obj.pk), **fields)
        else:
            segment = segment_services.segment_create(code=obj.code, **fields)
        result = segment_services.segment_refresh(segment=segment)
        obj.pk = segment.pk
        self.message_user(request, f"'{segment.code}' refreshed: {result.count:,} members.")

    @admin.action(description="Refresh the selected segments now", permissions=["change"])
    def refresh_segments(self, request, queryset):
        for segment in queryset:
            result = segment_services.segment_refresh(segment=segment)
            self.message_user(
                request, f"{segment.code}: {result.count:,} members ({result.entered} entered, {result.exited} exited)."
            )


@admin.register(CustomerScore)
class CustomerScoreAdmin(KeptForTheRecord, admin.ModelAdmin):
    """Scores are computed, never edited. The changelist shows the RFM grid above the list."""

    change_list_template = "admin/audiences/customerscore/change_list.html"
    list_display = ["customer", "rfm_r", "rfm_f", "rfm_m", "rfm_segment", "engagement_score", "loyalty_score"]
    list_filter = ["rfm_segment", "rfm_r", "rfm_f"]
    search_fields = ["customer__external_id"]
    list_select_related = ["customer"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        counts = {
            (row["rfm_r"], row["rfm_f"]): row["n"]
            for row in CustomerScore.objects.filter(rfm_r__isnull=False)
            .values("rfm_r", "rfm_f")
            .annotate(n=Count("pk"))
        }
        grid = [
            {
                "recency": r,
                "cells": [
                    {"frequency": f, "count": counts.get((r, f), 0), "group": rfm_label(rfm_group(r, f))}
                    for f in range(1, 6)
                ],
            }
            for r in range(5, 0, -1)
        ]
        return super().changelist_view(request, extra_context={**(extra_context or {}), "rfm_grid": grid})
