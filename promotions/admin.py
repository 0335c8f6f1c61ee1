"""The marketer's view of promotions: live status, uses, budget spent, redemptions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from import_export.admin import ExportMixin

from audiences.customer_page import CustomerSection, register_customer_section
from config.admin_navigation import place_in_section
from config.admin_safety import KeptForTheRecord
from config.numbers import money
from promotions import (
    dashboard,  # noqa: F401  (registers its panels on the Reports page)
    exports,  # noqa: F401  (registers its background exports)
    selectors,
)
from promotions.admin_codes import code_generation_confirmation
from promotions.admin_promotion_form import EDITABLE, picker_view, promotion_fieldsets, promotion_form_class
from promotions.api.serializers import money_string
from promotions.code_exports import codes_csv_response
from promotions.code_patterns import InvalidPattern, validate_pattern
from promotions.models import CodeGenerationJob, Promotion, PromotionCode, Redemption
from promotions.offers import customer_offers
from promotions.resources import RedemptionResource
from promotions.services.codes import MAX_CODES_PER_JOB, code_generation_start
from promotions.services.definitions import promotion_create, promotion_update

CUSTOMER_PAGE_OFFERS = 50

register_customer_section(
    CustomerSection(
        "promotions",
        "Promotions they qualify for now",
        "admin/promotions/customer_section.html",
        lambda customer: {"offers": customer_offers(customer=customer, limit=CUSTOMER_PAGE_OFFERS).offers},
        position=70,
        permission="promotions.view_promotion",
    )
)
place_in_section(
    "promotions",
    "promotions.promotion",
    "promotions.promotioncode",
    "promotions.codegenerationjob",
    "promotions.redemption",
)


DEFAULT_CODE_COUNT = 1000
DEFAULT_CODE_PATTERN = "PROMO-####-####"


class CodeGenerationActionForm(ActionForm):
    # Text, so the action itself can say what is wrong with a count (the form would only say "No action selected").
    count = forms.CharField(required=False, initial=DEFAULT_CODE_COUNT, max_length=20)
    pattern = forms.CharField(required=False, initial=DEFAULT_CODE_PATTERN, max_length=64)


class RedemptionInline(admin.TabularInline):
    model = Redemption
    extra = 0
    fields = ["order", "code", "customer", "amount", "currency", "status", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False
    max_num = 0
    ordering = ["-id"]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    action_form = CodeGenerationActionForm
    actions = ["generate_codes"]
    list_display = ["name", "status", "trigger", "reward_type", "priority", "stacking", "uses", "spent", "redeemed"]
    list_filter = ["status", "trigger", "reward_type", "stacking"]
    search_fields = ["name", "code"]
    readonly_fields = ["codes", "used", "budget_spent", "reward_type", "created_at", "updated_at"]
    inlines = [RedemptionInline]
    read_only_fieldsets = [(None, {"fields": EDITABLE}), ("Codes and spending", {"fields": readonly_fields})]

    class Media:
        js = ["promotions/promotion_form.js"]

    def get_form(self, request, obj=None, **kwargs):
        if self.has_change_permission(request, obj) or (obj is None and self.has_add_permission(request)):
            kwargs["form"] = promotion_form_class()  # every reward type registered now has its fields
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        """The form's sections for those who edit; the saved definition as it is for those who only view."""
        if not (self.has_change_permission(request, obj) or (obj is None and self.has_add_permission(request))):
            return self.read_only_fieldsets
        return [*promotion_fieldsets(), self.read_only_fieldsets[1]]

    def get_queryset(self, request):
        active = Q(redemptions__status=Redemption.Status.ACTIVE)
        return super().get_queryset(request).annotate(redeemed=Count("redemptions", filter=active))

    @admin.display(description="uses")
    def uses(self, promotion):
        return f"{promotion.used} / {promotion.usage_limit}" if promotion.usage_limit else str(promotion.used)

    @admin.display(description="budget spent")
    def spent(self, promotion):
        spent = money(money_string(promotion.budget_spent, promotion.currency), promotion.currency)
        budget = promotion.budget
        return f"{spent} of {money(money_string(budget, promotion.currency), promotion.currency)}" if budget else spent

    @admin.display(description="redemptions", ordering="redeemed")
    def redeemed(self, promotion):
        return promotion.redeemed

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        if change:
            saved = promotion_update(promotion=obj, **fields)
        else:
            saved = promotion_create(created_by=request.user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    @admin.display(description="codes")
    def codes(self, promotion):
        if promotion.pk is None:
            return "-"
        summary = selectors.promotion_code_summary(promotion=promotion)
        shared = (
            f"Shared code {summary.shared} (used {summary.shared_used:,} times)" if summary.shared else "No shared code"
        )
        unique = f"{summary.unique:,} unique codes, {summary.unique_used:,} used"
        if not summary.unique:
            return f"{shared}; {unique}."
        url = reverse("admin:promotions_promotion_codes_csv", args=[promotion.pk])
        return format_html('{}; {} (<a href="{}">export as CSV</a>).', shared, unique, url)

    def get_urls(self):
        export = self.admin_site.admin_view(self.codes_export_view)
        route = path("<int:promotion_id>/codes.csv", export, name="promotions_promotion_codes_csv")
        pick = self.admin_site.admin_view(lambda request, kind: picker_view(self, request, kind))
        return [route, path("pick/<str:kind>/", pick, name="promotions_promotion_pick"), *super().get_urls()]

    def codes_export_view(self, request, promotion_id: int):
        """The promotion's unique codes as CSV, streamed; the shared code is shown on the promotion itself."""
        promotion = get_object_or_404(Promotion, pk=promotion_id)
        if not self.has_view_permission(request, promotion):
            raise PermissionDenied
        return codes_csv_response(promotion, filename=f"{slugify(promotion.name)}-unique-codes.csv", unique_only=True)

    @admin.action(description="Generate unique codes (count and pattern below)", permissions=["change"])
    def generate_codes(self, request, queryset):
        """Asks first, showing what will happen to each selected promotion; generates once confirmed."""
        wanted = request.POST.get("count") or str(DEFAULT_CODE_COUNT)
        try:
            count = int(wanted)
            pattern = validate_pattern(request.POST.get("pattern") or DEFAULT_CODE_PATTERN)
        except ValueError as exc:  # InvalidPattern is a ValueError too
            problem = str(exc) if isinstance(exc, InvalidPattern) else f"the count '{wanted}' is not a whole number."
            self.message_user(request, f"No codes were generated: {problem}", messages.ERROR)
            return None
        if not 1 <= count <= MAX_CODES_PER_JOB:
            limit = f"{MAX_CODES_PER_JOB:,}"
            self.message_user(
                request, f"No codes were generated: ask for 1 to {limit} codes, not {count:,}.", messages.ERROR
            )
            return None
        if request.POST.get("confirmed") != "yes":
            return code_generation_confirmation(self, request, queryset, count=count, pattern=pattern)
        for promotion in queryset:
            try:
                job = code_generation_start(promotion=promotion, count=count, pattern=pattern, created_by=request.user)
            except ValidationError as exc:
                reasons = " ".join(exc.messages)
                self.message_user(request, f"No codes for '{promotion.name}': {reasons}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"'{promotion.name}': generating {job.count:,} codes {job.pattern} in the background; "
                "Code generation jobs shows the progress.",
            )
        return None


class WrittenByTheEngine:
    """Codes, jobs and the ledger are written by services (a promotion's code, the generation
    action, orders), never typed in: the admin shows them."""

    def has_add_permission(self, request):
        return False


@admin.register(PromotionCode)
class PromotionCodeAdmin(WrittenByTheEngine, admin.ModelAdmin):
    list_display = ["code", "promotion", "used", "usage_limit", "created_at", "retired_at"]
    search_fields = ["code"]
    list_select_related = ["promotion"]
    readonly_fields = ["promotion", "code", "usage_limit", "used", "job", "created_at", "retired_at"]
    show_full_result_count = False  # a million codes: don't count them on every page


@admin.register(CodeGenerationJob)
class CodeGenerationJobAdmin(KeptForTheRecord, WrittenByTheEngine, admin.ModelAdmin):
    list_display = ["__str__", "promotion", "pattern", "count", "generated", "status", "created_at", "finished_at"]
    list_select_related = ["promotion"]
    list_filter = ["status"]
    readonly_fields = ["promotion", "pattern", "count", "generated", "status", "error", "created_by", "finished_at"]


@admin.register(Redemption)
class RedemptionAdmin(KeptForTheRecord, WrittenByTheEngine, ExportMixin, admin.ModelAdmin):
    resource_classes = [RedemptionResource]
    list_display = ["order", "promotion", "code", "customer", "amount", "currency", "status", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["order__external_id", "code__code", "customer__external_id"]
    list_select_related = ["order", "promotion", "code", "customer"]
    readonly_fields = ["order", "promotion", "code", "customer", "amount", "currency", "status", "released_at"]
