"""The reward registry: a new reward type is one class, registered, and works end to end through the
API (definition, index, pipeline, refusal messages); an unregistered type is refused, naming the
registered ones, and a half-declared class is refused when it registers."""

from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

import pytest

from promotions.engine.definition import parse_reward
from promotions.engine.money import PerPlaces, thresholds_per_places, units_per_places
from promotions.engine.parsing import DefinitionError
from promotions.engine.rewards.registry import (
    Reward,
    RewardFields,
    register_reward,
    reward_type_names,
    unregister_reward,
)
from promotions.engine.rewards.shares import share, subtotal_of
from promotions.engine.types import LINES, Stage
from promotions.models import Promotion
from tests.promotions.conftest import create_promotion, evaluate, rice, tv

BUILT_IN = ["bundle", "buy_x_get_y", "fixed_amount", "fixed_price", "free_shipping", "gift", "percentage", "tiered"]
UNKNOWN_TYPE = f"Unknown reward type; use one of: {', '.join(BUILT_IN)}."


@dataclass(frozen=True, slots=True)
class SpendAndSave(Reward):
    """A made-up type: spend `spend` (its own threshold), get `off` taken off the targeted lines."""

    spend: Decimal
    off: Decimal
    type: ClassVar[str] = "spend_and_save"
    options: ClassVar[tuple[str, ...]] = ("spend", "off")
    stage: ClassVar[int] = Stage.ORDER
    effect: ClassVar[int] = LINES
    threshold: Decimal = field(init=False, repr=False, compare=False)
    threshold_units: PerPlaces = field(init=False, repr=False, compare=False)
    _off: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "threshold", self.spend)
        object.__setattr__(self, "threshold_units", thresholds_per_places(self.spend))
        object.__setattr__(self, "_off", units_per_places(self.off))

    @classmethod
    def parse(cls, fields: RewardFields) -> "SpendAndSave":
        spend, off = fields.money("spend"), fields.money("off")
        if off > spend:
            raise fields.error("Take off at most what the customer spends.", "off")
        return cls(spend=spend, off=off)

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        return share(min(self._off[places], subtotal_of(running, matched)), matched, running)


@contextmanager
def registered(cls):
    """The reward type registered for the block only: no other test sees it."""
    register_reward(cls)
    try:
        yield cls
    finally:
        unregister_reward(cls.type)


@pytest.fixture
def spend_and_save():
    with registered(SpendAndSave):
        yield


SPEND_AND_SAVE = {"type": "spend_and_save", "spend": "500.00", "off": "50.00"}


@pytest.mark.django_db
def test_a_registered_type_prices_carts_through_the_api(storefront, marketer, catalog, spend_and_save):
    created = create_promotion(marketer, name="Spend 500, save 50", reward=SPEND_AND_SAVE)
    assert created["reward"] == SPEND_AND_SAVE

    result = evaluate(storefront, [tv(), rice()])
    assert result["discount_total"] == "50.00"
    assert [line["discount"] for line in result["lines"]] == ["49.91", "0.09"]  # spread by price
    assert [(item["name"], item["reward"], item["amount"]) for item in result["applied"]] == [
        ("Spend 500, save 50", "spend_and_save", "50.00")
    ]
    assert evaluate(storefront, [rice(4)])["applied"] == []  # 400.00 is below its threshold

    listed = marketer.get("/api/v1/promotions", {"reward_type": "spend_and_save"}).json()["results"]
    assert [promotion["id"] for promotion in listed] == [created["id"]]


@pytest.mark.django_db
def test_a_registered_types_threshold_explains_a_refused_code(storefront, marketer, catalog, spend_and_save):
    create_promotion(marketer, trigger="code", code="SAVE50", reward=SPEND_AND_SAVE)
    refused = evaluate(storefront, [rice(4)], codes=["SAVE50"])["codes"][0]
    assert (refused["reason"], refused["message"]) == (
        "min_subtotal_not_met",
        "Spend at least 500.00 BDT to use this code.",
    )
    assert evaluate(storefront, [rice(5)], codes=["SAVE50"])["discount_total"] == "50.00"


@pytest.mark.django_db
def test_a_registered_types_own_checks_are_a_400_naming_the_field(marketer, spend_and_save):
    for reward, field_name, message in [
        ({**SPEND_AND_SAVE, "off": "600.00"}, "reward.off", "Take off at most what the customer spends."),
        ({**SPEND_AND_SAVE, "per": "item"}, "reward.per", "Unknown key; use one of: off, spend, type."),
        (
            {"type": "spend_and_save", "off": "1"},
            "reward.spend",
            'Expected a decimal number as a string, e.g. "15.00".',
        ),
    ]:
        response = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": reward}, format="json")
        assert response.status_code == 400, response.json()
        assert response.json()["fields"] == {field_name: [message]}
    assert not Promotion.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reward", [SPEND_AND_SAVE, {"type": ["percentage"]}, {"value": "10"}, {"type": ""}])
def test_an_unregistered_type_is_a_400_naming_the_registered_ones(marketer, reward):
    response = marketer.post("/api/v1/promotions", {"name": "Unknown", "reward": reward}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"reward.type": [UNKNOWN_TYPE]}
    assert not Promotion.objects.exists()


def test_an_unknown_type_names_the_field_without_the_api():
    with pytest.raises(DefinitionError) as error:
        parse_reward({"type": "nope"})
    assert (error.value.field, error.value.message) == ("reward.type", UNKNOWN_TYPE)


def test_registering_for_a_block_leaves_the_registry_as_it_was():
    with registered(SpendAndSave):
        assert parse_reward(SPEND_AND_SAVE) == SpendAndSave(spend=Decimal("500.00"), off=Decimal("50.00"))
        assert reward_type_names() == sorted([*BUILT_IN, "spend_and_save"])
    assert reward_type_names() == BUILT_IN


def test_a_half_declared_type_is_refused_when_it_registers():
    @dataclass(frozen=True, slots=True)
    class NoArithmetic(Reward):  # says it discounts lines but cannot compute a discount or read itself
        type: ClassVar[str] = "no_arithmetic"
        options: ClassVar[tuple[str, ...]] = ()
        stage: ClassVar[int] = Stage.ITEM
        effect: ClassVar[int] = LINES

    with pytest.raises(TypeError, match=r"Reward type 'no_arithmetic' lacks: parse, discounts\."):
        register_reward(NoArithmetic)

    @dataclass(frozen=True, slots=True)
    class Imposter(SpendAndSave):
        type: ClassVar[str] = "percentage"

    with pytest.raises(ValueError, match="A reward type 'percentage' is registered already"):
        register_reward(Imposter)
    assert reward_type_names() == BUILT_IN
