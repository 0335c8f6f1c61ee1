"""Seed 004 end to end: a communications log (phone, date, message, amount; TZS; English and
Swahili) is imported, scores and segments are refreshed, and each of the guide's five segments
holds the customers counted by hand below."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from audiences.models import Customer, Event, Order, Segment
from audiences.scoring import scores_recompute
from audiences.segments.services import segments_refresh_all
from audiences.services.catalog import store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 9, 24, 12, 0, tzinfo=UTC)  # the guide's analysis date
TOP = "0755197700"  # the guide's top customer: TZS 1.96 billion


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def buyer_phone(i: int) -> str:
    return TOP if i == 10 else f"07551000{i:02d}"


def log_rows() -> list[tuple[str, str, str, str]]:
    """(phone, date, message, amount). By hand:

    - Buyers B1..B10: B_i made i purchases, the last (11 - i) * 5 + 2 days ago and the others 20
      days apart before it, each of TZS 5,000 * i (B10: TZS 196,000,000, 1.96 billion in all).
      Recency, frequency and spend rise with i, so R = F = M = ceil(i / 2) among the ten.
      high value (TZS 100,000+): B5 (125,000) .. B10 -> 6.
      loyal (loyalty >= 70 and engagement >= 60): loyalty >= 70 for B7..B10 (R = F = M >= 4);
      engagement is 10 per logged message in 90 days: B7 and B8 have 4 purchases in 90 days (40),
      B9 4 + 2 chats (60), B10 5 + 2 chats (70) -> B9, B10: 2.
    - N1..N3: first contact 5, 10 and 29 days ago, nothing bought -> new (joined in 30 days): 3.
    - O1..O3: last message 120, 200 and 95 days ago -> inactive (90+ days): 3. Every buyer wrote
      within 90 days (B1's only purchase was 52 days ago).
    - Complaints (keywords, English and Swahili): C1 "broken", C2 "tatizo", C3 "sijaridhika", B3
      "refund"; "Asante sana, nimefurahi" and "chocolate" are not complaints. C1..C3 first wrote
      60 days ago (not new). Resolved: C1 5 hours and B3 3 hours before NOW, C2 48 hours before,
      C3 not -> complaint (resolved in the last 24 hours, none open): C1, B3: 2.
    - 19 customers, 72 messages, 55 of them with an amount.
    """
    rows = []
    for i in range(1, 11):
        amount = "196,000,000" if i == 10 else f"{5000 * i}"
        last = (11 - i) * 5 + 2
        for k in range(i):
            rows.append((buyer_phone(i), ago(last + 20 * k), f"Malipo ya simu #{k}", amount))
    for i in (9, 10):
        rows += [(buyer_phone(i), ago(3), "Asante sana, nimefurahi", ""), (buyer_phone(i), ago(4), "Hello!", "0")]
    rows.append((buyer_phone(3), ago(40), "I want a refund for the charger", ""))
    for number, days in (("0713200001", 5), ("0713200002", 10), ("0713200003", 29)):
        rows.append((number, ago(days), "Habari, bei ya simu ni ngapi?", ""))
    for number, days in (("0655300001", 120), ("0655300002", 200), ("0655300003", 95)):
        rows.append((number, ago(days), "I love chocolate cake", ""))
    for number in ("0784400001", "0784400002", "0784400003"):
        rows.append((number, ago(60), "Hi", ""))  # customers for two months: not new
    rows.append(("0784400001", ago(3), "My phone is broken since yesterday", ""))
    rows.append(("0784400002", ago(6), "Simu ina tatizo la betri", ""))
    rows.append(("0784400003", ago(10), "Sijaridhika na huduma yenu", ""))
    return rows


@pytest.fixture
def log_file(tmp_path):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phone", "date", "message", "amount"])
    writer.writerows(log_rows())
    path = tmp_path / "communications.csv"
    path.write_text(out.getvalue())
    return str(path)


def import_log(path: str) -> str:
    out = io.StringIO()
    call_command("import_csv", "communications", path, "--currency=TZS", "--region=TZ", stdout=out)
    return out.getvalue()


def customer(phone: str) -> Customer:
    return Customer.objects.get(phone="+255" + phone[1:])


def test_the_guide_from_a_communications_log_to_its_five_segments(log_file, settings):
    settings.DEFAULT_PHONE_REGION, settings.DEFAULT_CURRENCY = "BD", "BDT"  # the options must win
    report = import_log(log_file)
    assert "amounts in TZS, national phone numbers in region TZ" in report
    assert "19 new customer(s), 72 message(s), 4 complaint(s), 55 purchase(s); 0 already imported" in report

    top = customer(TOP)
    assert (top.currency, top.total_spent, top.orders_count) == ("TZS", Decimal("1960000000"), 10)
    assert top.signed_up_at == NOW - timedelta(days=7 + 20 * 9)  # first contact
    assert top.total_spent_display == "1960000000.00"

    # Complaints are resolved by the shop; the recovery offer follows within 24 hours of that.
    for phone, hours in (("0784400001", 5), ("0784400002", 48), (buyer_phone(3), 3)):
        events_record(
            events=[
                EventInput(
                    customer=customer(phone), type="complaint_resolved", occurred_at=NOW - timedelta(hours=hours)
                )
            ]
        )

    scores_recompute(now=NOW)
    segments_refresh_all(now=NOW)
    members = {
        segment.code: {m.customer.phone for m in segment.memberships.select_related("customer")}
        for segment in Segment.objects.filter(predefined=True)
    }
    e164 = {phone: "+255" + phone[1:] for phone in [*map(buyer_phone, range(1, 11))]}
    assert members["high_value"] == {e164[buyer_phone(i)] for i in range(5, 11)}
    assert members["loyal"] == {e164[buyer_phone(9)], e164[TOP]}
    assert members["new_30d"] == {"+255713200001", "+255713200002", "+255713200003"}
    assert members["inactive_90d"] == {"+255655300001", "+255655300002", "+255655300003"}
    assert members["complaint"] == {"+255784400001", e164[buyer_phone(3)]}
    assert {code: len(phones) for code, phones in members.items()} == {
        "high_value": 6, "loyal": 2, "new_30d": 3, "inactive_90d": 3, "complaint": 2,
    }  # fmt: skip


def test_importing_the_same_log_twice_doubles_nothing(log_file):
    import_log(log_file)
    counts = (Customer.objects.count(), Event.objects.count(), Order.objects.count())
    report = import_log(log_file)
    assert "0 new customer(s), 0 message(s), 0 complaint(s), 0 purchase(s); 72 already imported" in report
    assert (Customer.objects.count(), Event.objects.count(), Order.objects.count()) == counts
    assert customer(TOP).total_spent == Decimal("1960000000")


def test_a_log_for_a_known_customer_moves_first_contact_back_and_adds_spend_in_their_currency(tmp_path):
    store_upsert(code="DAR", name="Dar", timezone="Africa/Dar_es_Salaam", currency="TZS")
    known = customer_upsert(external_id="K-1", phone="+255755100001", store="DAR",
                                     signed_up_at=NOW - timedelta(days=10))[0]  # fmt: skip
    path = tmp_path / "log.csv"
    path.write_text(f'phone,date,message,amount\n0755100001,{ago(40)},Nataka simu,"150,000"\n')
    import_log(str(path))
    known.refresh_from_db()
    assert (known.signed_up_at, known.total_spent, known.orders_count) == (NOW - timedelta(days=40), 150000, 1)
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--currency=XYZ"], "--currency: Unknown currency 'XYZ'"),
        (["--region=QQ"], "--region: Unknown phone region 'QQ'"),
    ],
)
def test_unknown_currency_or_region_is_refused(log_file, options, message):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("import_csv", "communications", log_file, *options, stdout=io.StringIO())
    assert not Customer.objects.exists()


def test_an_amount_finer_than_the_currency_or_negative_is_a_bad_row(tmp_path, capsys):
    from django.core.management import CommandError

    path = tmp_path / "log.csv"
    path.write_text("phone,date,message,amount\n0755100001,2025-09-01,a,10.005\n0755100002,2025-09-01,b,-5\n")
    with pytest.raises(CommandError, match="2 bad row"):
        call_command("import_csv", "communications", str(path), "--currency=TZS", "--region=TZ")
    out = capsys.readouterr().out
    assert "row 2: amount: TZS amounts have at most" in out and "row 3: amount:" in out
    assert not Customer.objects.exists()
