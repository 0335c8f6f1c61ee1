"""The payment methods a cart or order may name, with the label a shopper reads.

One vocabulary for orders (audiences) and promotion eligibility (promotions): a promotion that
asks for `bkash` must meet carts that say `bkash`, so both are checked against this list, and a
method it does not know is a 400 rather than a promotion that silently never applies.
"""

PAYMENT_METHODS: dict[str, str] = {
    "card": "card",
    "cash_on_delivery": "cash on delivery",
    "bank_transfer": "bank transfer",
    # Bangladesh
    "bkash": "bKash",
    "nagad": "Nagad",
    "rocket": "Rocket",
    # Tanzania
    "mpesa": "M-Pesa",
    "tigo_pesa": "Tigo Pesa",
    "airtel_money": "Airtel Money",
}

PAYMENT_METHOD_CHOICES = list(PAYMENT_METHODS.items())


def payment_method_labels(codes) -> str:
    """'bKash or Nagad': the methods as a shopper reads them, in a stable order."""
    labels = [PAYMENT_METHODS.get(code, code) for code in sorted(codes)]
    return " or ".join(labels) if len(labels) < 3 else f"{', '.join(labels[:-1])} or {labels[-1]}"
