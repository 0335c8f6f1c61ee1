"""Leads in the admin: the list with its filters and the pipeline summary (counts and value per status, as a
chart), and a lead's page whose status field offers only the moves the pipeline allows. Thin: the form checks a
move with the pipeline, the service saves it."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from audiences.currencies import quantize
from campaigns.leads import pipeline, selectors, services
from campaigns.leads.models import Lead
from config.admin_navigation import place_in_section
from config.charts import chart
from config.dashboard import BARS, Table
from config.errors import DomainError
from config.numbers import money


def shown_money(amount, currency: str) -> str:
    """At the currency's places: stored amounts carry three."""
    return money(quantize(amount, currency), currency)


place_in_section("campaigns", "campaigns.campaign", "campaigns.lead")

STATUS_FIELDS = ("status", "lost_reason", "value")


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = [
            "customer", "external_id", "interest", "vehicle_vin", "product", "store", "value", "currency", "status",
            "lost_reason", "order", "owner", "note", "campaign", "journey",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = pipeline.LeadStatus(self.instance.status)
        allowed = {current, *pipeline.MOVES[current]} if self.instance.pk else {pipeline.LeadStatus.NEW}
        self.fields["status"].choices = [(value, label) for value, label in Lead.Status.choices if value in allowed]
        self.fields["owner"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True)
        self.fields["currency"].required = False
        self.fields["currency"].help_text = "Empty: the store's, else the campaign's."
        if self.instance.pk:
            for name in ("customer", "external_id", "campaign", "journey", "currency"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "status" in cleaned:
            try:
                pipeline.check_move(
                    Lead.objects.get(pk=self.instance.pk).status,
                    cleaned["status"],
                    lost_reason=cleaned.get("lost_reason") or "",
                    has_value=cleaned.get("value") is not None,
                )
            except DomainError as refused:
                field = {"lost_reason_required": "lost_reason", "value_required": "value"}.get(refused.code, "status")
                self.add_error(field, refused.message)
        return cleaned


class SourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("campaign", "A campaign"), ("journey", "A journey"), ("none", "Neither")]

    def queryset(self, request, queryset):
        chosen = self.value()
        if chosen == "campaign":
            return queryset.filter(campaign__isnull=False)
        if chosen == "journey":
            return queryset.filter(journey__isnull=False)
        if chosen == "none":
            return queryset.filter(campaign__isnull=True, journey__isnull=True)
        return queryset


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    form = LeadForm
    change_list_template = "admin/campaigns/lead/change_list.html"
    list_display = [
        "__str__", "customer", "status", "shown_value", "store", "campaign", "journey", "owner", "created_at",
    ]  # fmt: skip
    list_filter = ["status", SourceFilter, "store", "campaign", "journey", "owner", "created_at"]
    list_select_related = ["customer", "store", "campaign", "journey", "owner", "product"]
    search_fields = ["customer__external_id", "customer__email", "interest", "vehicle_vin", "external_id"]
    raw_id_fields = ["customer", "product", "order"]
    readonly_fields = ["message", "source_event", "created_at", "contacted_at", "test_drive_at", "won_at", "lost_at"]
    date_hierarchy = "created_at"
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["customer", "external_id", "interest", "vehicle_vin", "product", "store", "note"]}),
        ("Status", {"fields": ["status", "lost_reason", "value", "currency", "order", "owner"],
                    "description": "A lead moves forward only (steps may be skipped); won and lost are final."}),
        ("Source (empty: the customer's last touch by a campaign or journey)",
         {"fields": ["campaign", "journey", "message", "source_event"]}),
        ("When", {"fields": ["created_at", "contacted_at", "test_drive_at", "won_at", "lost_at"]}),
    ]  # fmt: skip

    @admin.display(description="value", ordering="value")
    def shown_value(self, lead):
        return shown_money(lead.value, lead.currency) if lead.value is not None else "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.lead_update(
                lead_id=obj.pk,
                status=data["status"],
                lost_reason=data.get("lost_reason") or None,
                value=data.get("value"),
                order=data.get("order"),
                owner=data.get("owner"),
                note=data.get("note", ""),
                details={name: data[name] for name in services.DETAILS if name in data},
            )
        else:
            saved, _ = services.lead_create(
                lead=services.LeadInput(
                    customer=data["customer"], product=data.get("product"), vehicle_vin=data.get("vehicle_vin", ""),
                    interest=data.get("interest", ""), store=data.get("store"), value=data.get("value"),
                    currency=data.get("currency") or "", note=data.get("note", ""),
                    external_id=data.get("external_id") or None, owner=data.get("owner"),
                    campaign=data.get("campaign"), journey=data.get("journey"),
                )
            )  # fmt: skip
        obj.pk = saved.pk
        obj.refresh_from_db()

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            summary = selectors.pipeline_summary(changelist.queryset)
            for row in summary:
                totals = sorted(row["value"].items())
                row["shown_value"] = ", ".join(shown_money(total, currency) for currency, total in totals)
            table = Table(["status", "leads"], [[row["label"], row["count"]] for row in summary])
            response.context_data["pipeline"] = summary
            response.context_data["pipeline_chart"] = (
                chart(BARS, table, "Leads per status") if any(row["count"] for row in summary) else None
            )
        return response
