"""Item-to-item recommendations from co-purchase, over arrays (no database): docs/intelligence.md.

Two items are alike when the same customers bought both. With `X` the customers × items matrix of who
bought what (1 or 0), `C = XᵀX` counts the customers who bought both items of each pair, and the cosine
similarity `C[i, j] / sqrt(C[i, i] · C[j, j])` discounts items everybody buys. Each item keeps its
`neighbours` most similar items (item-kNN), so the matrix stays sparse whatever the catalogue's size.

A customer's score for an item is the sum of its similarities to what they bought (`X · S`). Items with
no co-purchase evidence are ranked after every scored item by a fallback: popular in the customer's store,
those of the categories they bought first.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

# A fallback score stays below any co-purchase score: cosines are at least 1 / (customers of an item).
FALLBACK_SCALE = 1e-9
CO_PURCHASE, POPULAR = "co_purchase", "popular"
NONE = -1  # no item left for that place


def purchase_matrix(customers: np.ndarray, items: np.ndarray, n_customers: int, n_items: int) -> sparse.csr_matrix:
    """Who bought what, 1 or 0, from (customer row, item column) pairs (repeats allowed)."""
    ones = np.ones(len(customers), dtype=np.float64)
    bought = sparse.csr_matrix((ones, (customers, items)), shape=(n_customers, n_items))
    bought.sum_duplicates()
    bought.data[:] = 1.0
    return bought


def item_similarity(bought: sparse.csr_matrix, *, neighbours: int = 50) -> sparse.csr_matrix:
    """Cosine similarity of items by their buyers, no item similar to itself, each item's top `neighbours`."""
    together = (bought.T @ bought).tocsr()
    buyers = together.diagonal()
    together.setdiag(0)
    together.eliminate_zeros()
    together = together.tocoo()
    norm = np.sqrt(buyers[together.row] * buyers[together.col])
    cosine = sparse.csr_matrix((together.data / norm, (together.row, together.col)), shape=together.shape)
    return _top_per_row(cosine, neighbours)


def _top_per_row(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    matrix = matrix.tocsr()
    rows, cols, values = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        data, index = matrix.data[start:end], matrix.indices[start:end]
        if end - start > keep:
            best = np.argpartition(-data, keep - 1)[:keep]
            data, index = data[best], index[best]
        rows.append(np.full(len(data), row))
        cols.append(index)
        values.append(data)
    if not rows:
        return sparse.csr_matrix(matrix.shape)
    return sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=matrix.shape)


@dataclass(frozen=True)
class Catalogue:
    """The items of one run, by column: what the fallback and the exclusions need to know of each."""

    category: np.ndarray  # category row per item (-1: none)
    consumable: np.ndarray  # bool: bought again, so still recommended after a purchase
    unavailable: np.ndarray  # bool: never recommended (out of stock)


def popularity(stores: np.ndarray, items: np.ndarray, counts: np.ndarray, n_stores: int, n_items: int) -> np.ndarray:
    """Each store's popularity of each item in [0, 1] (its count over the store's best seller's), plus the
    whole run's popularity a thousand times smaller, which orders the items a store has not sold yet. Store
    row `n_stores` holds sales of no store; as a customer's row, it is for customers of no store (or one
    that sold nothing): the whole run's popularity alone."""
    by_store = np.zeros((n_stores + 1, n_items))
    np.add.at(by_store, (stores, items), counts)
    everywhere = by_store.sum(axis=0)
    peak = by_store.max(axis=1, keepdims=True)
    scaled = np.divide(by_store, peak, out=np.zeros_like(by_store), where=peak > 0)
    scaled[n_stores] = 0  # the row of customers without a store: the run's popularity alone
    overall = everywhere / everywhere.max() if everywhere.max() > 0 else everywhere
    return scaled + overall * 1e-3


def recommend(
    bought: sparse.csr_matrix,
    similarity: sparse.csr_matrix,
    catalogue: Catalogue,
    store_popularity: np.ndarray,
    customer_stores: np.ndarray,
    *,
    count: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The top `count` items of each customer (rows of `bought`), best first: (items, scores, from co-purchase?).

    Excluded: what they bought that is not consumable, and every unavailable item; when fewer than `count`
    items are left, the row ends with `NONE`. `customer_stores` is each customer's row of `store_popularity`.
    """
    co_purchase = np.asarray((bought @ similarity).todense())
    in_their_categories = _categories_bought(bought, catalogue.category)
    fallback = (store_popularity[customer_stores] + in_their_categories) * FALLBACK_SCALE
    scores = co_purchase + fallback
    already = bought.multiply(~catalogue.consumable[np.newaxis, :]).toarray() > 0
    scores[already] = -np.inf
    scores[:, catalogue.unavailable] = -np.inf
    count = min(count, scores.shape[1])
    if count == 0:
        empty = np.zeros((scores.shape[0], 0))
        return empty.astype(np.int64), empty, empty.astype(bool)
    best = np.argpartition(-scores, count - 1, axis=1)[:, :count]
    best_scores = np.take_along_axis(scores, best, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    items = np.take_along_axis(best, order, axis=1)
    ranked = np.take_along_axis(best_scores, order, axis=1)
    from_co_purchase = np.take_along_axis(co_purchase, items, axis=1) > 0
    items[~np.isfinite(ranked)] = NONE
    return items, ranked, from_co_purchase


def _categories_bought(bought: sparse.csr_matrix, category: np.ndarray) -> np.ndarray:
    """1 where the item's category is one the customer bought in, else 0."""
    known = category >= 0
    n_categories = int(category.max()) + 1 if known.any() else 0
    if n_categories == 0:
        return np.zeros(bought.shape)
    columns = np.flatnonzero(known)
    item_category = sparse.csr_matrix(
        (np.ones(len(columns)), (columns, category[known])), shape=(bought.shape[1], n_categories)
    )
    theirs = ((bought @ item_category) > 0).astype(np.float64)  # customers × categories
    return np.asarray((theirs @ item_category.T).todense()) > 0


def precision_recall_at(recommended: list[list[int]], actual: list[set[int]], k: int) -> tuple[float, float]:
    """Mean precision@k (hits / k) and recall@k (hits / items bought later) over customers who bought later."""
    pairs = [(items[:k], later) for items, later in zip(recommended, actual, strict=True) if later]
    if not pairs:
        return 0.0, 0.0
    hits = [len(set(items) & later) for items, later in pairs]
    precision = sum(hit / k for hit in hits) / len(pairs)
    recall = sum(hit / len(later) for hit, (_, later) in zip(hits, pairs, strict=True)) / len(pairs)
    return precision, recall
