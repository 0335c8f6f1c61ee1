"""The evaluation as the API returns it: money as strings quantised to the currency."""

from promotions.engine.money import quantize
from promotions.engine.types import Result


def amounts_payload(priced, lines, currency: str) -> dict:
    """The totals and lines of an evaluation or of a recorded order (both carry the same amounts)."""

    def money(amount) -> str:
        return str(quantize(amount, currency))

    return {
        "subtotal": money(priced.subtotal),
        "discount_total": money(priced.discount_total),
        "shipping_price": money(priced.shipping_price),
        "shipping_discount": money(priced.shipping_discount),
        "total": money(priced.total),
        "lines": [
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "subtotal": money(line.subtotal),
                "discount": money(line.discount),
                "total": money(line.total),
            }
            for line in lines
        ],
    }


def evaluation_payload(result: Result) -> dict:
    currency = result.currency

    def money(amount) -> str:
        return str(quantize(amount, currency))

    return {
        "currency": currency,
        **amounts_payload(result, result.lines, currency),
        "applied": [
            {
                "promotion": applied.promotion_id,
                "name": applied.name,
                "code": applied.code,
                "reward": applied.reward,
                "amount": money(applied.amount),
            }
            for applied in result.applied
        ],
        "codes": [
            {"code": code.code, "status": code.status}
            if code.status == "applied"
            else {
                "code": code.code,
                "status": code.status,
                "reason": code.reason,
                "detail": code.detail,
                "message": code.message,
            }
            for code in result.codes
        ],
        "gifts": [
            {"sku": gift.sku, "quantity": gift.quantity, "promotion": gift.promotion_id} for gift in result.gifts
        ],
    }
