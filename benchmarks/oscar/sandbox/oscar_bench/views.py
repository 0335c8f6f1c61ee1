"""The basket priced as oscar's basket page prices it: the strategy set, the offers applied
(`Applicator().apply(basket, user, request)`, as oscar.apps.basket.middleware does), then the totals the page
shows. JSON instead of the template, as our carts/evaluate answers."""

from django.http import HttpResponse, JsonResponse
from oscar.core.loading import get_class, get_model

Applicator = get_class("offer.applicator", "Applicator")
Selector = get_class("partner.strategy", "Selector")
Basket = get_model("basket", "Basket")


def healthz(request):
    return HttpResponse("ok")


def price_basket(request):
    basket = Basket.objects.get(pk=int(request.GET.get("basket", "1")))
    basket.strategy = Selector().strategy(request=request, user=request.user)
    Applicator().apply(basket, request.user, request)
    applications = list(basket.offer_applications)
    return JsonResponse(
        {
            "lines": basket.num_lines,
            "items": basket.num_items,
            "subtotal": str(basket.total_excl_tax_excl_discounts),
            "discount_total": str(basket.total_excl_tax_excl_discounts - basket.total_excl_tax),
            "total": str(basket.total_incl_tax),
            "offers_applied": len(applications),
            "applications": sum(application["freq"] for application in applications),
            "vouchers": [voucher.code for voucher in basket.vouchers.all()],
        }
    )
