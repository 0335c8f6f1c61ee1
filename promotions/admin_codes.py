"""The admin's confirmation before generating codes: what will happen to each selected promotion."""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from promotions import selectors
from promotions.code_patterns import pattern_bits
from promotions.models import Promotion

NOT_A_CODE_PROMOTION = "it applies automatically; only a promotion triggered by a code takes codes."


def code_generation_confirmation(model_admin, request, queryset, *, count: int, pattern: str) -> TemplateResponse:
    rows = []
    for promotion in queryset.order_by("name"):
        summary = selectors.promotion_code_summary(promotion=promotion)
        refusal = None if promotion.trigger == Promotion.Trigger.CODE else NOT_A_CODE_PROMOTION
        rows.append({"promotion": promotion, "summary": summary, "refusal": refusal})
    accepted = sum(1 for row in rows if row["refusal"] is None)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Generate {count * accepted:,} codes?",
        "opts": model_admin.model._meta,
        "rows": rows,
        "count": count,
        "pattern": pattern,
        "possible": 2 ** pattern_bits(pattern),
        "accepted": accepted,
        "total": count * accepted,
        "selected": [row["promotion"].pk for row in rows],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/promotions/promotion/generate_codes_confirmation.html", context)
