"""The launch's confirmation page: before anything is frozen or queued, each selected campaign's audience now,
how many of them consent, and what launching will do to it (start now, schedule, or why it is refused)."""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Campaign


def launch_refusal(campaign: Campaign, now) -> str | None:
    """Why launching it would be refused, in the service's words, before asking; None when it can go."""
    if campaign.status != Campaign.Status.DRAFT:
        return f"Only a draft campaign can be launched; this one is {campaign.get_status_display().lower()}."
    if campaign.requires_approval and not campaign.approved:
        return "It must be approved (by a user allowed to approve campaigns) before it is launched."
    if campaign.ends_at is not None and campaign.ends_at <= now:
        return "Its window has already ended: move its end."
    return None


def launch_plan(campaign: Campaign, now) -> str:
    moment = services.launch_moment(campaign)
    if moment is not None and moment > now:
        return f"Scheduled: it starts at {timezone.localtime(moment):%Y-%m-%d %H:%M %Z}."
    verb = "sends messages to" if campaign.type == Campaign.Type.BROADCAST else "offers its promotions to"
    held = campaign.holdout_percent
    held = f"{held:.0f}" if held == held.to_integral_value() else f"{held}"
    return f"Starts now: freezes its audience and {verb} them, keeping {held}% back as the holdout."


def launch_confirmation(model_admin, request, queryset) -> TemplateResponse:
    now = timezone.now()
    rows = []
    for campaign in queryset.order_by("name"):
        refusal = launch_refusal(campaign, now)
        rows.append(
            {
                "campaign": campaign,
                "counts": selectors.audience_count(campaign),
                "channels": ", ".join(selectors.consent_channels(campaign)) or "none needed",
                "refusal": refusal,
                "plan": None if refusal else launch_plan(campaign, now),
            }
        )
    accepted = [row for row in rows if row["refusal"] is None]
    customers = sum(row["counts"]["audience"] for row in accepted)
    consenting = sum(row["counts"]["consenting"] for row in accepted)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Launch {len(accepted)} campaign{'' if len(accepted) == 1 else 's'}?",
        "opts": model_admin.model._meta,
        "rows": rows,
        "accepted": len(accepted),
        "summary": f"{customers:,} customers, {consenting:,} with consent",
        "selected": [row["campaign"].pk for row in rows],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/campaigns/campaign/launch_confirmation.html", context)
