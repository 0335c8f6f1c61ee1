"""Programs with their tiers, rules and bonus events; rewards; members with balance, tier and ledger, and
adjustments with a reason. Thin: writes go through loyalty's services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audiences.customer_page import CustomerSection, register_customer_section
from config.admin_navigation import place_in_section
from config.admin_safety import KeptForTheRecord
from loyalty import (
    dashboard,  # noqa: F401  (registers its panel on the Reports page)
    exports,  # noqa: F401  (registers its background export)
    selectors,
)
from loyalty.models import BonusEvent, EarningRule, LedgerEntry, Member, Program, Referral, Reservation, Reward, Tier
from loyalty.services.adjustments import points_adjust


def _member_section(customer) -> dict:
    member = selectors.member_of(customer=customer)
    if member is None:
        return {"summary": None}
    return {
        "summary": selectors.member_summary(member=member),
        "member_url": reverse("admin:loyalty_member_change", args=[member.pk]),
    }


register_customer_section(
    CustomerSection(
        "loyalty",
        "Loyalty",
        "admin/loyalty/customer_section.html",
        _member_section,
        position=40,
        permission="loyalty.view_member",
    )
)
place_in_section(
    "loyalty",
    "loyalty.member",
    "loyalty.reward",
    "loyalty.program",
    "loyalty.ledgerentry",
    "loyalty.referral",
    "loyalty.reservation",
)


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


class EarningRuleInline(admin.TabularInline):
    model = EarningRule
    extra = 0
    autocomplete_fields = ["category", "store"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A rule's tier is one of its own program's (tiers of two programs share names: Silver, Gold...)."""
        if db_field.name == "tier":
            program_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Tier.objects.filter(program_id=program_id) if program_id else Tier.objects.none()
            kwargs["help_text"] = "A tier of this program (save the program with its tiers first)."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BonusEventInline(admin.TabularInline):
    model = BonusEvent
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "points_per_unit", "expiry", "expiry_n", "pending_days", "tier_basis",
                    "downgrade_policy", "active"]  # fmt: skip
    autocomplete_fields = ["referral_promotion"]
    inlines = [TierInline, EarningRuleInline, BonusEventInline]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "points_cost", "promotion", "active"]
    list_filter = ["program", "active"]
    autocomplete_fields = ["promotion"]


class MemberForm(forms.ModelForm):
    adjust_points = forms.IntegerField(
        required=False, help_text="Points to add (or, negative, to remove) now; kept in the ledger with the reason."
    )
    adjust_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Member
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("adjust_points") and not (cleaned.get("adjust_reason") or "").strip():
            raise ValidationError({"adjust_reason": "Say why the points change."})
        return cleaned


@admin.register(Member)
class MemberAdmin(KeptForTheRecord, admin.ModelAdmin):
    form = MemberForm
    list_display = ["customer", "program", "tier", "balance"]
    list_filter = ["program", "tier"]
    search_fields = ["customer__external_id", "customer__email", "customer__phone"]
    list_select_related = ["customer", "program", "tier"]
    readonly_fields = ["customer", "program", "tier", "tier_review_at", "tier_grace_until", "summary", "ledger"]
    fields = ["customer", "program", "tier", "tier_review_at", "tier_grace_until", "summary", "adjust_points",
              "adjust_reason", "ledger"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # customers join when they first earn

    def get_queryset(self, request):
        return selectors.with_points_balance(super().get_queryset(request), now=timezone.now())

    @admin.display(description="Points balance", ordering="points_balance")
    def balance(self, member):
        return member.points_balance

    @admin.display(description="Balance")
    def summary(self, member):
        s = selectors.member_summary(member=member)
        expiring = ", ".join(f"{row['points']} on {row['expires_on']}" for row in s["expiring"]) or "none"
        to_next = f"{s['points_to_next_tier']} points to {s['next_tier']}" if s["next_tier"] else "top tier"
        return format_html(
            "Spendable <b>{}</b> · pending {} · expiring soon: {}<br>Tier {} · {} qualifying points · {} "
            "· lifetime {}",
            s["points_balance"], s["pending_points"], expiring, s["tier"] or "none", s["qualifying_points"],
            to_next, s["lifetime_points"],
        )  # fmt: skip

    @admin.display(description="Ledger (newest first)")
    def ledger(self, member):
        rows = (
            (
                entry.occurred_at.strftime("%Y-%m-%d %H:%M"),
                entry.get_kind_display(),
                f"{entry.points:+d}",
                entry.reason or f"{entry.source_type} {entry.source_id}",
                entry.created_by or "",
                ", ".join(f"{a.points:+d} lot {a.lot_id}" for a in entry.allocations.all()),
            )
            for entry in selectors.member_ledger(member=member)[:100]
        )
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            "<table><thead><tr><th>When</th><th>Kind</th><th>Points</th><th>Why</th><th>By</th><th>Lots</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            body,
        )

    def save_model(self, request, obj, form, change):
        points = form.cleaned_data.get("adjust_points")
        if points:
            points_adjust(member=obj, points=points, reason=form.cleaned_data["adjust_reason"], created_by=request.user)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(KeptForTheRecord, admin.ModelAdmin):
    list_display = ["occurred_at", "member", "kind", "points", "reason", "created_by"]
    list_filter = ["kind"]
    search_fields = ["member__customer__external_id", "source_id", "reason"]
    list_select_related = ["member__customer", "member__program", "created_by"]
    readonly_fields = [field.name for field in LedgerEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnly(KeptForTheRecord, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(_ReadOnly):
    list_display = ["referee", "referrer", "order", "status", "clears_at", "granted_at"]
    list_filter = ["status"]
    search_fields = ["referee__customer__external_id", "referrer__customer__external_id", "order__external_id"]
    list_select_related = ["referee__customer", "referee__program", "referrer__customer", "referrer__program", "order"]
    exclude = ["phone_hash", "email_hash"]


@admin.register(Reservation)
class ReservationAdmin(_ReadOnly):
    list_display = ["order", "member", "points", "status", "expires_at"]
    list_filter = ["status"]
    search_fields = ["order", "member__customer__external_id"]
    list_select_related = ["member__customer", "member__program"]
