"""Journeys in the admin: on/off with their figures, versions with their steps inline (published ones read
only), each step's templates in fallback order, and the enrollments with their status and exit reason.

Thin: switching, publishing, drafting and removing call the journeys' services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from audiences.models import Customer
from campaigns.journeys import (
    dashboard,  # noqa: F401  (registers its panels on the Reports page)
    exits,
    selectors,
    services,
    simulation,
)
from campaigns.journeys.admin_results import JourneyResultsAdminMixin
from campaigns.journeys.models import Enrollment, Journey, JourneyStep, JourneyStepTemplate, JourneyVersion, StepRun
from config.admin_navigation import place_in_section
from config.admin_safety import KeptForTheRecord
from config.errors import DomainError

place_in_section(
    "journeys", "campaigns.journey", "campaigns.journeyversion", "campaigns.journeystep", "campaigns.enrollment"
)


class _Frozen:
    """Inlines and pages of a published version: nothing changes, an edit is a new draft."""

    def _published(self, obj) -> bool:
        version = obj.version if isinstance(obj, JourneyStep) else obj
        return isinstance(version, JourneyVersion) and version.published_at is not None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._published(obj)


class _FrozenInline(_Frozen):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._published(obj)


def _by_reason(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason or '-'}: {n}" for reason, n in counts.items()) or "0"


class JourneyVersionInline(admin.TabularInline):
    model = JourneyVersion
    fields = ["number", "published_at", "trigger", "reentry", "goal_event_type"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Journey)
class JourneyAdmin(JourneyResultsAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "active", "holdout_percent", "entered", "converted"]
    list_filter = ["active", "predefined"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "description", "active", "holdout_percent", "predefined", "simulate", "results"]
    readonly_fields = ["predefined", "simulate", "results"]
    inlines = [JourneyVersionInline]
    actions = ["switch_on", "switch_off", "draft_new_version"]

    @admin.display(description="entered")
    def entered(self, journey):
        return Enrollment.objects.filter(version__journey=journey).count()

    @admin.display(description="converted")
    def converted(self, journey):
        return Enrollment.objects.filter(version__journey=journey, converted_at__isnull=False).count()

    def get_urls(self):
        view = self.admin_site.admin_view(self.simulate_view)
        return [path("<int:journey_id>/simulate/", view, name="campaigns_journey_simulate"), *super().get_urls()]

    @admin.display(description="simulate")
    def simulate(self, journey):
        if journey.pk is None:
            return "-"
        url = reverse("admin:campaigns_journey_simulate", args=[journey.pk])
        return format_html('<a href="{}">What would it do for a customer entering now?</a>', url)

    def simulate_view(self, request, journey_id: int):
        journey = get_object_or_404(Journey, pk=journey_id)
        if not self.has_view_permission(request, journey):
            raise PermissionDenied
        customer_id, key = request.GET.get("customer", "").strip(), request.GET.get("key", "").strip()
        answer = None
        if customer_id:
            customer = Customer.objects.filter(external_id=customer_id).first()
            version = selectors.journey_current_version(journey=journey)
            if customer is None:
                messages.error(request, f"No customer {customer_id}.")
            elif version is None:
                messages.error(request, "The journey has no version to simulate.")
            else:
                answer = simulation.journey_simulate(version=version, customer=customer, key=key).as_dict()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Simulate: {journey.name}",
            "journey": journey,
            "customer_id": customer_id,
            "key": key,
            "simulation": answer,
        }
        return TemplateResponse(request, "admin/campaigns/journey/simulate.html", context)

    @admin.display(description="results")
    def results(self, journey):
        if journey.pk is None:
            return "-"
        figures = selectors.journey_results(journey=journey)
        rows = [
            ("entered", figures["entered"]),
            ("holdout", figures["holdout"]),
            *((f"status: {k}", v) for k, v in figures["statuses"].items()),
            *((f"exited: {k}", v) for k, v in figures["exited"].items()),
            ("conversions (treated / holdout)", f"{figures['conversions']} / {figures['holdout_conversions']}"),
            ("lift", figures["lift_message"]),
        ]
        return format_html(
            "{}{}<p>{}</p>",
            format_html_join("", "<div><b>{}</b>: {}</div>", rows),
            self._step_counts(figures),
            self.results_link(journey),
        )

    def _step_counts(self, figures: dict) -> str:
        if not figures["steps"]:
            return ""
        rows = format_html_join(
            "",
            "<tr><td>{}. {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    step["position"], step["kind"], step["entered"], step["waiting"], step["sent"],
                    _by_reason(step["skipped"]), _by_reason(step["failed"]), step["converted"],
                    _by_reason(step["exited"]),
                )
                for step in figures["steps"]
            ),
        )  # fmt: skip
        return format_html(
            '<table class="journey-step-counts"><caption>Per step (version {})</caption><thead><tr><th>step</th>'
            "<th>entered</th><th>waiting</th><th>sent</th><th>skipped</th><th>failed</th><th>converted</th>"
            "<th>exited</th></tr></thead><tbody>{}</tbody></table>",
            figures["steps_version"],
            rows,
        )

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if not change:
            super().save_model(request, obj, form, change)
            return
        try:
            services.journey_update(journey=obj, **changes)
        except DomainError as error:
            messages.error(request, error.message)

    def _switch(self, request, queryset, active: bool):
        for journey in queryset:
            try:
                services.journey_update(journey=journey, active=active)
            except DomainError as error:
                messages.error(request, error.message)

    @admin.action(description="Switch on", permissions=["change"])
    def switch_on(self, request, queryset):
        self._switch(request, queryset, True)

    @admin.action(description="Switch off", permissions=["change"])
    def switch_off(self, request, queryset):
        self._switch(request, queryset, False)

    @admin.action(description="Draft a new version (a copy of the newest) to edit", permissions=["change"])
    def draft_new_version(self, request, queryset):
        for journey in queryset:
            draft = services.journey_version_draft(journey=journey)
            messages.info(request, f"Drafted {draft}; publish it when ready.")


class JourneyStepInline(_FrozenInline, admin.TabularInline):
    model = JourneyStep
    fields = [
        "position", "kind", "wait", "local_time", "next_day", "best_hour_until", "promotion", "coupon_pattern",
        "condition", "condition_segment", "condition_event_type", "else_position",
    ]  # fmt: skip
    extra = 0
    show_change_link = True


@admin.register(JourneyVersion)
class JourneyVersionAdmin(_Frozen, admin.ModelAdmin):
    list_display = ["__str__", "published_at", "trigger", "reentry"]
    list_filter = ["journey"]
    readonly_fields = ["published_at"]
    inlines = [JourneyStepInline]
    actions = ["publish"]

    @admin.action(description="Publish (freeze it; new entries run on it)", permissions=["change"])
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.journey_version_publish(version=version)
            except DomainError as error:
                messages.error(request, error.message)


class JourneyStepTemplateInline(_FrozenInline, admin.TabularInline):
    model = JourneyStepTemplate
    fields = ["order", "template"]
    extra = 0

    def _published(self, obj) -> bool:
        return isinstance(obj, JourneyStep) and obj.version.published_at is not None


@admin.register(JourneyStep)
class JourneyStepAdmin(_Frozen, admin.ModelAdmin):
    list_display = ["__str__", "version"]
    list_filter = ["version__journey"]
    inlines = [JourneyStepTemplateInline]


class StepRunInline(admin.TabularInline):
    model = StepRun
    fields = ["position", "attempt", "run_at", "status", "reason", "message_key", "finished_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(KeptForTheRecord, admin.ModelAdmin):
    list_display = [
        "version",
        "customer__external_id",
        "trigger_key",
        "status",
        "exit_reason",
        "entered_at",
        "converted_at",
    ]
    list_filter = ["status", "exit_reason", "version__journey"]
    search_fields = ["customer__external_id", "trigger_key"]
    list_select_related = ["version__journey", "customer"]
    readonly_fields = [f.name for f in Enrollment._meta.fields]
    inlines = [StepRunInline]
    actions = ["remove"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Remove from the journey (cancels pending steps)", permissions=["change"])
    def remove(self, request, queryset):
        removed = exits.enrollments_exit(enrollments=list(queryset), reason="manual")
        messages.info(request, f"Removed {removed} enrollment(s).")
