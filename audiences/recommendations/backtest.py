"""A time-split backtest: fit on the orders before a cut-off, recommend, and compare with what each customer
bought after it, for the co-purchase model and the popularity baseline (read only)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from audiences.models import Customer
from audiences.recommendations import co_purchase, fitting, selectors


@dataclass(frozen=True)
class BacktestResult:
    currency: str
    customers: int  # who bought both before and after the cut-off
    precision: float
    recall: float
    baseline_precision: float
    baseline_recall: float


def backtest(*, cutoff: datetime, k: int = 10) -> list[BacktestResult]:
    results = []
    for currency in selectors.recommended_currencies():
        model = fitting.fitted(currency=currency, before=cutoff)
        later_customers, later_items = selectors.purchase_arrays(currency=currency, skus=model.skus, since=cutoff)
        later: dict[int, set[int]] = defaultdict(set)
        for customer_id, item in zip(later_customers.tolist(), later_items.tolist(), strict=True):
            later[customer_id].add(int(model.product_ids[item]))
        customer_ids = np.array(sorted(set(later) & set(model.buyer_ids.tolist())), dtype=np.int64)
        if not len(customer_ids):
            continue
        stores = dict(Customer.objects.filter(id__in=customer_ids.tolist()).values_list("id", "store_id"))
        store_ids = np.array([stores.get(customer_id) or 0 for customer_id in customer_ids.tolist()], dtype=np.int64)
        actual = [later[customer_id] for customer_id in customer_ids.tolist()]
        figures = []
        for co_purchased in (True, False):
            shown: list[list[int]] = []
            for start in range(0, len(customer_ids), 2_000):
                products, _, _ = model.recommend(
                    customer_ids[start : start + 2_000], store_ids[start : start + 2_000], k, co_purchased=co_purchased
                )
                shown.extend([product for product in row if product] for row in products.tolist())
            figures.append(co_purchase.precision_recall_at(shown, actual, k))
        (precision, recall), (baseline_precision, baseline_recall) = figures
        results.append(
            BacktestResult(currency, len(customer_ids), precision, recall, baseline_precision, baseline_recall)
        )
    return results
