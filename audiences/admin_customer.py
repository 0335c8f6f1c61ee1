"""Audiences' sections of the admin's customer page: profile, consents, segments, scores, predictions and orders."""

from django.urls import reverse
from django.utils.http import urlencode

from audiences import selectors
from audiences.clv.selectors import customer_prediction
from audiences.currencies import quantize
from audiences.customer_page import CustomerSection, changelist_of_customer, register_customer_section
from audiences.rfm import rfm_label
from audiences.segments.selectors import customer_memberships

SECTIONS = "admin/audiences/customer/sections/"


def money(amount, currency: str) -> str:
    """An amount with its currency and the currency's decimals: 'TZS 6,948,000.00'."""
    if amount is None:
        return "-"
    return f"{currency} {quantize(amount, currency):,}" if currency else f"{amount:,}"


def _profile(customer) -> dict:
    return {
        "facts": [
            ("Customer id", customer.external_id),
            ("Name", customer.full_name or "-"),
            ("Email", customer.email or "-"),
            ("Phone", customer.phone or "-"),
            ("Language", customer.get_language_display()),
            ("Time zone", customer.effective_timezone),
            ("Home store", customer.store.name if customer.store_id else "-"),
            ("City", customer.city or "-"),
            ("Signed up", customer.signed_up_at),
            ("Orders", f"{customer.orders_count:,}"),
            ("Total spent", money(customer.total_spent, customer.currency)),
            ("Last order", customer.last_order_at),
            *([("Erased", customer.erased_at)] if customer.erased_at else []),
        ]
    }


def _consents(customer) -> dict:
    return {
        "consents": list(selectors.customer_consents(customer=customer)),
        "history": selectors.customer_consent_history(customer=customer),
        "history_url": reverse("admin:audiences_consentrecord_changelist")
        + "?"
        + urlencode({"q": customer.external_id}),
    }


def _segments(customer) -> dict:
    return {"memberships": list(customer_memberships(customer=customer))}


def _scores(customer) -> dict:
    score = selectors.customer_score(customer=customer)
    if score is None:
        return {"score": None}
    cell_url = None
    if score.rfm_r is not None:
        query = urlencode({"rfm_r": score.rfm_r, "rfm_f": score.rfm_f})
        cell_url = reverse("admin:audiences_customerscore_changelist") + "?" + query
    return {
        "score": score,
        "rfm_group": rfm_label(score.rfm_segment),
        "cell_url": cell_url,
        "lifetime_value": money(score.lifetime_value, customer.currency),
        "average_order": money(score.avg_order_value, customer.currency),
    }


def _prediction(customer) -> dict:
    prediction = customer_prediction(customer=customer)
    if prediction is None:
        return {"prediction": None}
    return {
        "prediction": prediction,
        "p_alive": f"{prediction.p_alive:.0%}",
        "clv": money(prediction.predicted_clv_12m, prediction.currency),
        "order_value": money(prediction.expected_order_value, prediction.currency),
    }


def _orders(customer) -> dict:
    return {
        "orders": [
            {"order": order, "total": money(order.total, order.currency)}
            for order in selectors.customer_recent_orders(customer=customer)
        ],
        "all_url": changelist_of_customer("admin:audiences_order_changelist", customer),
    }


def register_audiences_sections() -> None:
    for section in [
        CustomerSection("profile", "Profile", SECTIONS + "profile.html", _profile, position=10),
        CustomerSection("consents", "Consents", SECTIONS + "consents.html", _consents, 20, "audiences.view_consent"),
        CustomerSection("segments", "Segments", SECTIONS + "segments.html", _segments, 30, "audiences.view_segment"),
        CustomerSection(
            "scores", "Scores and RFM", SECTIONS + "scores.html", _scores, 40, "audiences.view_customerscore"
        ),
        CustomerSection(
            "prediction",
            "Predicted value and churn",
            SECTIONS + "prediction.html",
            _prediction,
            48,
            "audiences.view_customerprediction",
        ),
        CustomerSection("orders", "Orders", SECTIONS + "orders.html", _orders, 50, "audiences.view_order"),
    ]:
        register_customer_section(section)
