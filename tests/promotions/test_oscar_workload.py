"""The side-by-side workload against django-oscar (benchmarks/oscar/workload.py) means the same on both sides:
1,000 offers of the kinds both have, one 20-line cart, and on our engine the 159 promotions applied that oscar
applies (its sandbox prints 159 offers applied on the same definitions). Needs no oscar."""

import importlib.util
from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from promotions.engine import Cart, CartLine, Context, compile_index, evaluate
from promotions.management.commands.bench_pricing import rules_from

_path = Path(__file__).resolve().parents[2] / "benchmarks" / "oscar" / "workload.py"
_spec = importlib.util.spec_from_file_location("oscar_workload", _path)
workload = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workload)


def test_the_workload_has_the_issues_shape():
    offers = workload.offers()
    cart = workload.cart()
    in_cart = {number for number, _ in cart}

    assert len(offers) == 1_000
    assert len(cart) == 20
    assert len({offer["name"] for offer in offers}) == 1_000
    assert {offer["kind"] for offer in offers} == {"percentage", "fixed_unit", "fixed_price", "buy_x_get_y"}
    hitting = [offer for offer in offers if offer["skus"] and in_cart & set(offer["skus"])]
    assert len(hitting) == workload.APPLIED == 159
    assert not any(offer["exclusive"] or offer["code"] for offer in hitting)
    assert Counter(offer["skus"][0] for offer in hitting).most_common()[-1][1] == 7
    assert all(number < workload.PRODUCTS for offer in offers for number in offer["skus"] or [])


def test_our_engine_applies_the_159_promotions_oscar_applies():
    definitions = [workload.promotion_definition(offer) for offer in workload.offers()]
    index = compile_index(rules_from(definitions))
    lines = tuple(
        CartLine(sku=workload.sku(n), quantity=q, unit_price=workload.unit_price(n),
                 categories=(workload.category(n),), brand=workload.brand(n))
        for n, q in workload.cart()
    )  # fmt: skip

    result = evaluate(Cart(currency="BDT", lines=lines), Context(now=timezone.now()), index)

    assert len(result.applied) == 159
    assert result.subtotal == Decimal("1165419.00")  # the subtotal oscar's basket shows
    assert Decimal(0) < result.total < result.subtotal
