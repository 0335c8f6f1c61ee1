"""Best send time's model (pure): Dirichlet smoothing of a customer's hours toward their groups', and a
simulation on 1,000 recipients with known preferred hours where the best hour beats a fixed one."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audiences.send_time import (
    FLAT,
    HOURS,
    best_hour,
    customer_distribution,
    group_prior,
    hour_counts,
    smoothed,
)

counts_strategy = st.lists(st.integers(min_value=0, max_value=500), min_size=HOURS, max_size=HOURS)


def test_counts_fall_in_their_local_hour():
    assert hour_counts([9, 9, 23, 47])[9] == 2 and hour_counts([23])[23] == 1 and hour_counts([47])[23] == 1


def test_smoothing_by_hand():
    counts = [0] * HOURS
    counts[19] = 3
    # (3 + 8/24) / (3 + 8) at 19:00; (0 + 8/24) / 11 elsewhere.
    result = smoothed(counts, FLAT, 8)
    assert result[19] == pytest.approx((3 + 8 / 24) / 11)
    assert result[10] == pytest.approx((8 / 24) / 11)


def test_no_history_is_the_prior_and_much_history_is_one_s_own():
    prior = group_prior(hour_counts([10] * 200))
    assert customer_distribution([0] * HOURS, prior) == pytest.approx(prior)
    mine = customer_distribution(hour_counts([19] * 400), prior)
    assert best_hour(mine, list(range(9, 21))) == 19


def test_a_few_clicks_are_shrunk_toward_the_store_and_segment():
    store = hour_counts([10] * 300)
    segment = hour_counts([11] * 300)
    prior = group_prior(store, segment)
    assert best_hour(prior, list(range(24))) in (10, 11)
    one_click = customer_distribution(hour_counts([20]), prior)
    assert best_hour(one_click, list(range(9, 21))) in (10, 11), "one click at 20:00 does not outweigh a store"
    assert one_click[20] > prior[20], "but it moves their distribution toward 20:00"


def test_best_hour_keeps_to_the_allowed_hours_and_takes_the_earliest_of_equals():
    assert best_hour(FLAT, [14, 9, 20]) == 9
    peaked = customer_distribution(hour_counts([3] * 50), FLAT)
    assert best_hour(peaked, list(range(9, 21))) != 3
    with pytest.raises(ValueError, match="No hour"):
        best_hour(FLAT, [])


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="24"):
        smoothed([1, 2], FLAT, 1)
    with pytest.raises(ValueError, match="positive"):
        smoothed([0] * HOURS, FLAT, 0)


@given(counts_strategy, counts_strategy, st.floats(min_value=0.1, max_value=1000))
def test_smoothed_is_a_distribution_between_the_data_and_the_prior(counts, group, strength):
    prior = group_prior(group)
    result = smoothed(counts, prior, strength)
    assert sum(result) == pytest.approx(1)
    total = sum(counts)
    for hour in range(HOURS):
        own = counts[hour] / total if total else prior[hour]
        low, high = sorted((own, prior[hour]))
        assert low - 1e-12 <= result[hour] <= high + 1e-12


# The simulation: 1,000 recipients in 10 stores. Each store's shoppers lean to one hour (evening in some stores,
# morning in others), each shopper has a preferred hour near it, and clicks fall off away from that hour.
RECIPIENTS = 1_000
WINDOW = list(range(9, 21))
FIXED_HOUR = 10


def _click_probability(preferred: int, sent_at: int) -> float:
    distance = min(abs(preferred - sent_at), HOURS - abs(preferred - sent_at))
    return 0.02 + 0.18 * math.exp(-(distance**2) / 4)


def _population(rng: random.Random) -> list[dict]:
    store_hours = [rng.choice(WINDOW) for _store in range(10)]
    people = []
    for n in range(RECIPIENTS):
        store = n % 10
        preferred = min(max(round(rng.gauss(store_hours[store], 2.5)), 0), 23)
        history = [round(rng.gauss(preferred, 1.5)) % HOURS for _event in range(rng.randint(0, 6))]
        people.append({"store": store, "preferred": preferred, "history": hour_counts(history)})
    return people


def _clicks(rng: random.Random, people: list[dict], hours: list[int]) -> int:
    return sum(
        rng.random() < _click_probability(person["preferred"], hour) for person, hour in zip(people, hours, strict=True)
    )


def test_simulation_best_hour_gets_more_clicks_than_a_fixed_hour():
    rng = random.Random(20261128)
    people = _population(rng)
    stores = {store: [0] * HOURS for store in range(10)}
    for person in people:
        stores[person["store"]] = [a + b for a, b in zip(stores[person["store"]], person["history"], strict=True)]
    segment = [sum(column) for column in zip(*stores.values(), strict=True)]
    best_hours = [
        best_hour(customer_distribution(p["history"], group_prior(stores[p["store"]], segment)), WINDOW) for p in people
    ]
    own_only = [best_hour(customer_distribution(p["history"], FLAT), WINDOW) for p in people]
    # The same draws for each policy (common random numbers), so the difference is the policy's.
    best = _clicks(random.Random(7), people, best_hours)
    fixed = _clicks(random.Random(7), people, [FIXED_HOUR] * RECIPIENTS)
    unsmoothed = _clicks(random.Random(7), people, own_only)
    assert best > fixed * 1.2, f"best hour {best} clicks against {fixed} at a fixed 10:00"
    assert best >= unsmoothed, f"shrinking toward the store ({best}) does no worse than one's own hours ({unsmoothed})"
