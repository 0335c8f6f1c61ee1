"""The pure co-purchase model on a basket set small enough to score by hand."""

from math import sqrt

import numpy as np
import pytest

from audiences.recommendations.co_purchase import (
    NONE,
    Catalogue,
    item_similarity,
    popularity,
    precision_recall_at,
    purchase_matrix,
    recommend,
)

# Customers 0-3 bought: {0, 1}, {0, 1, 2}, {1, 2}, {0}; customer 4 bought nothing.
# Buyers: item 0: 3, item 1: 3, item 2: 2, item 3: 0. Together: (0, 1): 2, (0, 2): 1, (1, 2): 2.
PAIRS = [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2), (3, 0)]
N_CUSTOMERS, N_ITEMS = 5, 4


def _bought():
    customers, items = (np.array(column) for column in zip(*PAIRS, strict=True))
    return purchase_matrix(customers, items, N_CUSTOMERS, N_ITEMS)


def _catalogue(*, consumable=(), unavailable=(), category=(0, 0, 1, 1)):
    flags = np.zeros(N_ITEMS, dtype=bool)
    consumables, unavailables = flags.copy(), flags.copy()
    consumables[list(consumable)] = True
    unavailables[list(unavailable)] = True
    return Catalogue(category=np.array(category), consumable=consumables, unavailable=unavailables)


def _recommend(catalogue, *, count=4, store_sales=None):
    bought = _bought()
    # One store: item 3 sells most, then 2, 1, 0 (only the fallback reads it).
    stores, items, counts = np.zeros(4, dtype=int), np.arange(4), np.array(store_sales or [1, 2, 3, 4])
    store_popularity = popularity(stores, items, counts, 1, N_ITEMS)
    return recommend(
        bought, item_similarity(bought), catalogue, store_popularity, np.zeros(N_CUSTOMERS, dtype=int), count=count
    )


def test_cosine_similarity_matches_the_hand_computed_values():
    similarity = item_similarity(_bought()).toarray()
    assert similarity[0, 1] == pytest.approx(2 / sqrt(3 * 3))
    assert similarity[0, 2] == pytest.approx(1 / sqrt(3 * 2))
    assert similarity[1, 2] == pytest.approx(2 / sqrt(3 * 2))
    assert np.allclose(similarity, similarity.T)
    assert not similarity.diagonal().any()
    assert not similarity[3].any()  # nobody bought item 3


def test_each_item_keeps_only_its_nearest_neighbours():
    similarity = item_similarity(_bought(), neighbours=1).toarray()
    assert similarity[0].nonzero()[0].tolist() == [1]  # 0.667 beats 0.408
    assert similarity[2].nonzero()[0].tolist() == [1]


def test_a_customer_is_offered_the_co_purchased_items_in_score_order():
    items, scores, from_co_purchase = _recommend(_catalogue())
    # Customer 3 bought item 0: item 1 (2/3) before item 2 (1/sqrt 6), then item 3 from popularity.
    assert items[3].tolist()[:3] == [1, 2, 3]
    assert scores[3][0] == pytest.approx(2 / 3)
    assert scores[3][1] == pytest.approx(1 / sqrt(6))
    assert from_co_purchase[3].tolist()[:3] == [True, True, False]


def test_scores_add_up_over_what_the_customer_bought():
    items, scores, _ = _recommend(_catalogue())
    # Customer 0 bought items 0 and 1: item 2 scores sim(0, 2) + sim(1, 2).
    assert items[0][0] == 2
    assert scores[0][0] == pytest.approx(1 / sqrt(6) + 2 / sqrt(6))


def test_non_consumables_bought_are_left_out_and_consumables_stay():
    items, _, _ = _recommend(_catalogue())
    assert items[3].tolist() == [1, 2, 3, NONE]  # item 0: bought, not consumable
    items, _, _ = _recommend(_catalogue(consumable=[0]))
    assert 0 in items[3].tolist()


def test_out_of_stock_items_are_never_recommended_even_as_the_fallback():
    items, _, _ = _recommend(_catalogue(unavailable=[1, 3]))
    assert 1 not in items and 3 not in items
    assert items[4].tolist() == [2, 0, NONE, NONE]  # a new customer: the store's best sellers still in stock


def test_a_new_customer_gets_the_store_best_sellers():
    items, _, from_co_purchase = _recommend(_catalogue())
    assert items[4].tolist() == [3, 2, 1, 0]
    assert not from_co_purchase[4].any()


def test_the_fallback_prefers_the_categories_the_customer_bought():
    # Nobody bought two items: no co-purchase at all. Customer 0 bought item 0 (category 0); customer 1 nothing.
    bought = purchase_matrix(np.array([0]), np.array([0]), 2, 3)
    catalogue = Catalogue(category=np.array([0, 0, 1]), consumable=np.zeros(3, bool), unavailable=np.zeros(3, bool))
    store_popularity = popularity(np.zeros(3, int), np.arange(3), np.array([5, 1, 9]), 1, 3)
    items, _, from_co_purchase = recommend(
        bought, item_similarity(bought), catalogue, store_popularity, np.zeros(2, int), count=3
    )
    assert items[0].tolist() == [1, 2, NONE]  # their category's item before the store's best seller
    assert items[1].tolist() == [2, 0, 1]  # a new customer: the store's best sellers
    assert not from_co_purchase.any()


def test_precision_and_recall_at_k():
    precision, recall = precision_recall_at([[1, 2, 3], [4, 5, 6], [7]], [{1, 9}, set(), {8}], k=2)
    # Customer 0: 1 hit of 2 shown, 1 of 2 bought; customer 1 bought nothing later (not counted); customer 2: 0.
    assert precision == pytest.approx((1 / 2 + 0) / 2)
    assert recall == pytest.approx((1 / 2 + 0) / 2)
