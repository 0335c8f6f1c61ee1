"""The pure side of a communications log import: complaint keywords and row keys."""

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from audiences.communications import LogRow, communications_log_rows, complaint_keyword, keyword_pattern

KEYWORDS = keyword_pattern(["broken", "not working", "tatizo", "haifanyi kazi", "late"])


def test_keywords_match_whole_words_and_phrases_in_any_case():
    assert complaint_keyword("My TV is BROKEN!", KEYWORDS) == "broken"
    assert complaint_keyword("Simu haifanyi kazi tangu jana", KEYWORDS) == "haifanyi kazi"
    assert complaint_keyword("Kuna tatizo.", KEYWORDS) == "tatizo"
    assert complaint_keyword("The remote is not working", KEYWORDS) == "not working"
    assert complaint_keyword("I love chocolate", KEYWORDS) is None  # "late" only as a word
    assert complaint_keyword("Unbroken record", KEYWORDS) is None
    assert complaint_keyword("anything", keyword_pattern([" ", ""])) is None  # an empty list finds nothing


@given(st.text(max_size=40), st.text(max_size=40))
def test_a_keyword_between_any_words_is_found(before, after):
    text = f"{before} kuna tatizo {after}"  # "there is a problem": no negation right before the keyword
    assert complaint_keyword(text, KEYWORDS) is not None


def test_the_key_depends_on_every_part_of_the_message():
    when = datetime(2025, 9, 1, tzinfo=UTC)
    row = LogRow("+255755197700", when, "Asante", Decimal(10), "Juma")
    assert row.key == LogRow("+255755197700", when, "Asante", Decimal(10), "Another name").key
    for other in (
        LogRow("+255755197701", when, "Asante", Decimal(10), ""),
        LogRow("+255755197700", when.replace(hour=1), "Asante", Decimal(10), ""),
        LogRow("+255755197700", when, "Asante!", Decimal(10), ""),
        LogRow("+255755197700", when, "Asante", Decimal(11), ""),
    ):
        assert other.key != row.key


def test_rows_use_the_region_for_national_numbers_and_check_amounts_against_the_currency():
    rows, rejected = communications_log_rows(
        [
            {"phone": "0755197700", "date": "2025-09-01", "message": "a", "amount": "1,960,000,000"},
            {"phone": "0755197700", "date": "2025-09-01", "message": "b", "amount": "0.5"},
        ],
        currency="UGX",
        region="TZ",
    )
    assert [(row.phone, row.amount) for row in rows] == [("+255755197700", Decimal("1960000000"))]
    assert rejected == [(3, "amount: UGX amounts have at most the currency's minor unit of decimals.")]
