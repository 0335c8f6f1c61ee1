"""Campaigns in the admin: variants inline, the lifecycle's actions, the live audience and the launch's progress.

Thin: the form and its variants are checked by the service's own validation, saved by its create or update,
and every action calls the service of its transition and says per campaign what was refused and why.
"""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from audiences.currencies import quantize
from campaigns import (
    admin_customer,  # noqa: F401 (registers the customer page's section)
    dashboard,  # noqa: F401  (registers its panels on the Reports page)
    exports,  # noqa: F401  (registers its background export)
    lifecycle,
    selectors,
    services,
)
from campaigns.admin_launch import launch_confirmation
from campaigns.admin_reports import CampaignReportAdminMixin
from campaigns.admin_results import CampaignResultsAdminMixin
from campaigns.models import Campaign, Variant, default_receipt_channels
from config.errors import DomainError
from config.numbers import money
from messaging.models import Channel

SCALARS = list(services.SCALAR_FIELDS)
RELATIONS = list(services.RELATION_FIELDS)


class CampaignForm(forms.ModelForm):
    """Channels are ticked, not typed as JSON."""

    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The channels its variants' templates use; empty: theirs.",
    )

    class Meta:
        model = Campaign
        fields = ["channels"]  # the admin adds the rest from its fieldsets


class VariantFormSet(forms.BaseInlineFormSet):
    def variant_dicts(self) -> list[dict]:
        return [
            {name: form.cleaned_data.get(name) for name in ("name", "weight", "template", "promotion")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.status not in lifecycle.EDITABLE:
            return
        try:
            services.campaign_validate(self.instance, self.variant_dicts())
        except ValidationError as exc:
            raise ValidationError(
                [f"{field}: {message}" for field, errors in exc.message_dict.items() for message in errors]
            ) from None


class VariantInline(admin.TabularInline):
    model = Variant
    formset = VariantFormSet
    fields = ["name", "weight", "template", "promotion"]
    extra = 0
    min_num = 0

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status in lifecycle.EDITABLE)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


def _waiting(groups: list[dict], zone: str) -> str:
    """'232 deferred (quiet hours), the first due 28 Nov 2026, 9 a.m. (Asia/Dhaka)' per group, or 'none'."""
    if not groups:
        return "none"
    return "; ".join(
        f"{group['count']:,} {group['status']}"
        + (f" ({group['reason'].replace('_', ' ')})" if group["reason"] else "")
        + f", the first due {date_format(group['next_at'].astimezone(ZoneInfo(zone)), 'DATETIME_FORMAT')} ({zone})"
        for group in groups
    )


def _table(rows) -> str:
    return format_html(
        "<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", ((k, v) for k, v in rows))
    )


@admin.register(Campaign)
class CampaignAdmin(CampaignReportAdminMixin, CampaignResultsAdminMixin, admin.ModelAdmin):
    form = CampaignForm
    list_display = ["name", "status", "type", "objective", "starts_at", "ends_at", "frozen", "queued", "held_out"]
    list_filter = ["status", "type", "objective"]
    search_fields = ["name"]
    filter_horizontal = ["stores", "include_segments", "exclude_segments", "promotions"]
    inlines = [VariantInline]
    actions = ["launch", "pause", "resume", "duplicate", "archive", "approve"]
    fieldsets = [
        (None, {"fields": ["name", "objective", "type", "status", "live_audience", "progress", "results_link"]}),
        ("Schedule", {"fields": ["starts_at", "ends_at", "send_mode", "holidays"]}),
        (
            "Best hour: at each recipient's best local hour within the window, with an exploring share and a "
            "control sent at the start's hour",
            {
                "fields": [
                    "best_hour_from",
                    "best_hour_to",
                    "best_hour_explore_percent",
                    "best_hour_control_percent",
                ],
                "classes": ["collapse"],
            },
        ),
        (
            "Audience",
            {"fields": ["include_segments", "exclude_segments", "consent_topic", "stores", "store_match", "channels"]},
        ),
        ("Offer and test", {"fields": ["promotions", "coupon_pattern", "holdout_percent"]}),
        (
            "Staged test: test on X%, wait N hours, send the winner to the rest",
            {"fields": ["test_percent", "test_wait_hours", "test_metric", "test_fallback", "staged_test"]},
        ),
        (
            "Budget",
            {
                "fields": [
                    "currency",
                    "budget",
                    "budget_alert_percent",
                    "price_per_email",
                    "price_per_sms_segment",
                    "price_per_whatsapp",
                    "sending_cost_so_far",
                    "budget_alerted_at",
                    "budget_exhausted_at",
                ]
            },
        ),
        ("Approval", {"fields": ["requires_approval", "approved_by", "approved_at"]}),
        (
            "Attribution",
            {
                "fields": ["click_window_hours", "receipt_window_hours", "receipt_channels"],
                "description": "How long after a touch of this campaign an order is still credited to it. A "
                "redeemed coupon always counts; else a click in the click window; else a message received in the "
                "receipt window, on the channels ticked. Results choose the model (last touch, first touch, linear).",
            },
        ),
    ]
    always_read_only = [
        "status", "holidays", "live_audience", "progress", "results_link", "sending_cost_so_far", "budget_alerted_at",
        "budget_exhausted_at", "approved_by", "approved_at", "staged_test",
    ]  # fmt: skip

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "receipt_channels":
            return forms.MultipleChoiceField(
                choices=Channel.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=default_receipt_channels,
                label="Receipt credit on",
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.status in lifecycle.EDITABLE:
            return self.always_read_only
        return self.always_read_only + [name for name in SCALARS + RELATIONS if name not in services.LIVE_FIELDS]

    @admin.display(description="local holidays")
    def holidays(self, campaign):
        warnings = selectors.send_day_holidays(campaign)
        return format_html_join("", "<p><strong>{}</strong></p>", ((text,) for text in warnings)) or "None that day."

    @admin.display(description="audience now")
    def live_audience(self, campaign):
        if not campaign.pk:
            return "Save the campaign to count its audience."
        counts = selectors.audience_count(campaign)
        return _table(
            [
                ("included minus excluded", f"{counts['audience']:,}"),
                (f"of them with {campaign.consent_topic} consent on its channels", f"{counts['consenting']:,}"),
            ]
        )

    @admin.display(description="sending cost")
    def sending_cost_so_far(self, campaign):
        return money(quantize(campaign.sending_cost, campaign.currency), campaign.currency)

    @admin.display(description="launch progress")
    def progress(self, campaign):
        if not campaign.pk or campaign.launch_started_at is None:
            return "Not launched."
        progress = selectors.campaign_progress(campaign)
        skipped = ", ".join(f"{reason} {count:,}" for reason, count in progress["skipped"].items()) or "none"
        would = ", ".join(f"{reason} {count:,}" for reason, count in progress["holdout_would_skip"].items()) or "none"
        state = "finished" if progress["launch_finished_at"] else "running (refresh to follow it)"
        return _table(
            [
                ("launch", state),
                ("frozen", f"{progress['frozen']:,}"),
                ("holdout", f"{progress['holdout']:,} (would have been skipped: {would})"),
                ("queued", f"{progress['queued']:,}"),
                ("sent", f"{progress['sent']:,}"),
                (
                    "waiting to be sent",
                    _waiting(selectors.campaign_waiting(campaign), selectors.reference_zone(campaign)),
                ),
                ("skipped", skipped),
            ]
        )

    @admin.display(description="staged test")
    def staged_test(self, campaign):
        status = selectors.staged_test_status(campaign) if campaign.pk else None
        if status is None:
            return "None: every variant goes to everyone treated at once (set the test share to stage it)."
        rows = [("state", status["state"])]
        if status["decide_at"]:
            rows.append(("decides at", status["decide_at"]))
        if status["decided_at"]:
            rows += [("winner sent to the rest", status["winner"] or "none"), ("why", status["decision"])]
        rows += [
            ("rest still waiting", f"{status['remainder_waiting']:,}"),
            ("rest queued", f"{status['remainder_queued']:,}"),
        ]
        return _table(rows)

    def save_model(self, request, obj, form, change):
        """Saved with its variants in save_related, by the service (one transaction, one validation)."""

    def save_related(self, request, form, formsets, change):
        fields = {name: form.cleaned_data[name] for name in SCALARS + RELATIONS if name in form.cleaned_data}
        variant_sets = [formset for formset in formsets if isinstance(formset, VariantFormSet)]
        formset = variant_sets[0] if variant_sets else None
        if not change:
            variants = formset.variant_dicts() if formset else []
        else:
            variants = formset.variant_dicts() if formset and formset.has_changed() else None
        if change:
            original = Campaign.objects.get(pk=form.instance.pk)
            fields = {name: value for name, value in fields.items() if name in form.changed_data}
            saved = services.campaign_update(campaign=original, variants=variants, **fields)
        else:
            saved = services.campaign_create(created_by=request.user, variants=variants, **fields)
        form.instance.pk = saved.pk
        form.instance.refresh_from_db()
        for warning in selectors.send_day_holidays(saved):
            self.message_user(request, warning, messages.WARNING)
        for each in formsets:
            # The change message reads what a formset's save() records; the service saved the variants.
            each.new_objects, each.changed_objects, each.deleted_objects = [], [], []

    def _each(self, request, queryset, verb: str, perform) -> None:
        for campaign in queryset:
            try:
                after = perform(campaign)
            except DomainError as exc:
                self.message_user(request, f"{campaign}: not {verb}. {exc.message}", messages.ERROR)
            except ValidationError as exc:
                self.message_user(request, f"{campaign}: not {verb}. {' '.join(exc.messages)}", messages.ERROR)
            except PermissionDenied as exc:
                self.message_user(request, f"{campaign}: not {verb}. {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: {verb}; now {after.status}.", messages.SUCCESS)

    @admin.action(description="Launch (schedule, or start now without a start time)", permissions=["change"])
    def launch(self, request, queryset):
        """Asks first, showing each campaign's audience and how many consent; launches once confirmed."""
        if request.POST.get("confirmed") != "yes":
            return launch_confirmation(self, request, queryset)
        self._each(request, queryset, "launched", lambda c: services.campaign_launch(campaign=c))

    @admin.action(description="Pause (hold unsent messages)", permissions=["change"])
    def pause(self, request, queryset):
        self._each(request, queryset, "paused", lambda c: services.campaign_pause(campaign=c))

    @admin.action(description="Resume", permissions=["change"])
    def resume(self, request, queryset):
        self._each(request, queryset, "resumed", lambda c: services.campaign_resume(campaign=c))

    @admin.action(description="Duplicate as a new draft", permissions=["add"])
    def duplicate(self, request, queryset):
        self._each(
            request, queryset, "duplicated", lambda c: services.campaign_duplicate(campaign=c, created_by=request.user)
        )

    @admin.action(description="Archive", permissions=["change"])
    def archive(self, request, queryset):
        self._each(request, queryset, "archived", lambda c: services.campaign_archive(campaign=c))

    @admin.action(description="Approve (needs the approve permission)", permissions=["change"])
    def approve(self, request, queryset):
        self._each(request, queryset, "approved", lambda c: services.campaign_approve(campaign=c, user=request.user))


from campaigns.journeys import admin as journeys_admin  # noqa: E402, F401  (registers the journeys' pages)
from campaigns.leads import admin as leads_admin  # noqa: E402, F401  (registers the leads pages)
