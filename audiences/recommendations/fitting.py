"""The co-purchase model of one currency, fitted on the placed orders (before a moment, for the backtest), and
recommending for customers by id: the database side of `co_purchase`, which holds the arithmetic."""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import sparse

from audiences.recommendations import co_purchase, selectors

NEIGHBOURS = 50


@dataclass(frozen=True)
class Fitted:
    skus: dict[str, int]  # SKU -> item column
    product_ids: np.ndarray  # item column -> product id
    buyer_ids: np.ndarray  # sorted customer ids who bought; row i of `bought` (one more row: nothing bought)
    bought: sparse.csr_matrix
    similarity: sparse.csr_matrix
    catalogue: co_purchase.Catalogue
    store_ids: np.ndarray  # sorted store ids; row i of `store_popularity` (one more row: no store)
    store_popularity: np.ndarray

    def recommend(
        self, customer_ids: np.ndarray, store_ids: np.ndarray, count: int, *, co_purchased: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Product ids (0: none left), scores and from-co-purchase flags, `count` per customer, best first.
        Without `co_purchased`, the popularity baseline: the store's best sellers, less the same exclusions."""
        rows = _rows_of(self.buyer_ids, customer_ids)
        stores = _rows_of(self.store_ids, store_ids)
        bought = self.bought[rows]
        similarity = self.similarity
        catalogue = self.catalogue
        if not co_purchased:
            similarity = sparse.csr_matrix(similarity.shape)
            catalogue = co_purchase.Catalogue(
                np.full(len(self.product_ids), -1), catalogue.consumable, catalogue.unavailable
            )
        items, scores, from_co_purchase = co_purchase.recommend(
            bought, similarity, catalogue, self.store_popularity, stores, count=count
        )
        products = np.where(items == co_purchase.NONE, 0, self.product_ids[np.maximum(items, 0)])
        return products, scores, from_co_purchase


def _rows_of(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The row of each id in `sorted_ids`; the row after the last for an id not there."""
    rows = np.searchsorted(sorted_ids, ids)
    found = rows < len(sorted_ids)
    found[found] = sorted_ids[rows[found]] == ids[found]
    return np.where(found, rows, len(sorted_ids))


def fitted(*, currency: str, before: datetime | None = None, neighbours: int = NEIGHBOURS) -> Fitted:
    catalogue = selectors.catalogue_arrays(currency=currency)
    product_ids = catalogue["ids"]
    skus = {sku: column for column, sku in enumerate(catalogue["skus"].tolist())}
    customer_ids, items = selectors.purchase_arrays(currency=currency, skus=skus, before=before)
    buyer_ids, rows = np.unique(customer_ids, return_inverse=True)
    bought = co_purchase.purchase_matrix(rows, items, len(buyer_ids) + 1, len(product_ids))
    _, category_rows = np.unique(catalogue["category_ids"], return_inverse=True)
    category_rows = np.where(catalogue["category_ids"] < 0, -1, category_rows)
    sale_stores, sale_items, sale_counts = selectors.store_sales_arrays(currency=currency, skus=skus, before=before)
    store_ids = np.unique(sale_stores[sale_stores > 0])
    popularity = co_purchase.popularity(
        _rows_of(store_ids, sale_stores),  # orders of no store count in the popularity everywhere only
        sale_items,
        sale_counts,
        len(store_ids),
        len(product_ids),
    )
    return Fitted(
        skus=skus,
        product_ids=product_ids,
        buyer_ids=buyer_ids,
        bought=bought,
        similarity=co_purchase.item_similarity(bought, neighbours=neighbours),
        catalogue=co_purchase.Catalogue(category_rows, catalogue["consumable"], catalogue["unavailable"]),
        store_ids=store_ids,
        store_popularity=popularity,
    )
