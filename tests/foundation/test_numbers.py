"""How numbers read (config/numbers.py): counts whole, money grouped with its currency, ROI as a signed percent."""

from decimal import Decimal

from campaigns.lift import conversion_lift_text
from config.numbers import count, money, signed_percent
from config.templatetags.numbers import grouped


def test_a_whole_count_has_no_places_and_a_share_keeps_only_what_it_needs():
    assert count(Decimal("119.000000")) == 119 and str(count(Decimal("119.000000"))) == "119"
    assert str(count(Decimal("2.500000"))) == "2.5" and count(None) == 0


def test_money_has_thousands_separators_and_its_currency():
    assert money("8921709.00", "BDT") == "8,921,709.00 BDT"
    assert money(Decimal("-1431440.84"), "BDT") == "-1,431,440.84 BDT"
    assert money(Decimal("1500.00"), "") == "1,500.00"  # a promotion valid in any currency


def test_roi_reads_as_a_signed_whole_percent():
    assert signed_percent("89.0149") == "+8,901%"
    assert signed_percent(Decimal("-1.0000")) == "\u2212100%"
    assert signed_percent(Decimal(0)) == "0%"


def test_a_lift_with_no_conversion_on_either_side_reads_no_data_yet():
    nothing = {"treatment_rate": 0.0, "control_rate": 0.0, "absolute": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    assert conversion_lift_text(nothing) == "no data yet"
    measured = {"treatment_rate": 0.2, "control_rate": 0.1, "absolute": 0.1, "ci_low": -0.0123, "ci_high": 0.2}
    assert conversion_lift_text(measured) == "+10.00 points of conversion (95%: \u22121.23 to +20.00)"
    assert conversion_lift_text(None) is None


def test_a_report_table_cell_groups_its_digits_and_leaves_words_alone():
    assert grouped(Decimal("8921709.00")) == "8,921,709.00" and grouped(4220) == "4,220"
    assert grouped("Eid weekend") == "Eid weekend" and grouped(None) is None
