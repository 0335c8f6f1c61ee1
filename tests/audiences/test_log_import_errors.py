"""A communications log that cannot be imported as written is refused with a clear message and
writes nothing: impossible dates, thanks that read like complaints, totals past what a customer
can hold, and a customer known by an old and a new number."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from audiences.communications import communications_log_rows, complaint_keyword, keyword_pattern
from audiences.log_import import communications_log_import
from audiences.models import Customer, Event, Order
from audiences.resources import IsoDateTimeWidget
from audiences.services.customers import customer_upsert

HEADER = "phone,date,message,amount\n"


def log_rows(lines: list[dict]):
    cleaned, rejected = communications_log_rows(lines, currency="TZS", region="TZ")
    assert not rejected
    return cleaned


def admin_import(admin_client, text: str):
    admin_client.raise_request_exception = False
    upload = SimpleUploadedFile("log.csv", text.encode(), content_type="text/csv")
    return admin_client.post(
        "/admin/audiences/event/import-communications/", {"file": upload, "currency": "TZS", "region": "TZ"}
    )


def test_an_impossible_date_is_a_rejected_row_with_a_reason():
    rows, rejected = communications_log_rows(
        [{"phone": "0755197700", "date": "2025-02-30", "message": "hi", "amount": "10"}], currency="TZS", region="TZ"
    )
    assert rows == []
    assert rejected == [(2, "date: '2025-02-30' is not a real date or time (check the day of the month and the hour).")]


def test_the_csv_date_widget_says_the_same_of_an_impossible_date():
    with pytest.raises(ValueError, match="'2025-02-30T10:00:00' is not a real date or time"):
        IsoDateTimeWidget().clean("2025-02-30T10:00:00")


@pytest.mark.django_db
def test_the_admin_lists_an_impossible_date_and_imports_nothing(admin_client):
    response = admin_import(admin_client, HEADER + "0755197700,2025-02-30,hello,100\n")
    assert response.status_code == 200
    assert "is not a real date or time" in response.content.decode()
    assert not Customer.objects.exists() and not Event.objects.exists()


@pytest.mark.django_db
def test_the_command_lists_an_impossible_date_and_imports_nothing(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "0755197700,2025-02-30,hello,100\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_csv", "communications", str(path), "--currency=TZS", "--region=TZ", stdout=out)
    assert "row 2: date: '2025-02-30' is not a real date or time" in out.getvalue()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "thanks",
    [
        "Asante sana, hakuna tatizo!",
        "Hakuna shida, nitasubiri",
        "Sina shida na huduma yenu",
        "No problem, thanks a lot",
        "Delivered on time, no issue at all",
        "Not broken after all, sorry",
    ],
)
def test_saying_there_is_no_problem_is_not_a_complaint(thanks):
    assert complaint_keyword(thanks, keyword_pattern(settings.COMPLAINT_KEYWORDS)) is None


def test_a_real_complaint_after_a_negated_keyword_is_still_found():
    pattern = keyword_pattern(settings.COMPLAINT_KEYWORDS)
    assert complaint_keyword("Hakuna tatizo na malipo, lakini simu ni mbovu", pattern) == "mbovu"
    assert complaint_keyword("Kuna tatizo", pattern) == "tatizo"
    assert complaint_keyword("The remote is not working", pattern) == "not working"


@pytest.mark.django_db
def test_thanks_in_a_log_open_no_complaint():
    thanks = {"phone": "0755197700", "date": "2025-09-01", "message": "Hakuna tatizo, asante", "amount": ""}
    result = communications_log_import(rows=log_rows([thanks]), currency="TZS")
    assert result.complaints == 0
    assert not Event.objects.filter(type="complaint_opened").exists()


@pytest.mark.django_db
def test_a_customer_whose_number_changed_is_found_by_both_numbers():
    first = [{"phone": "0755197700", "date": "2025-09-01", "message": "hi", "amount": ""}]
    communications_log_import(rows=log_rows(first), currency="TZS")
    customer_upsert(external_id="+255755197700", phone="+255755197711")  # the customer's new number
    later = [
        {"phone": "0755197700", "date": "2025-09-10", "message": "old number", "amount": "100"},
        {"phone": "0755197711", "date": "2025-09-11", "message": "new number", "amount": "250"},
    ]
    result = communications_log_import(rows=log_rows(later), currency="TZS")
    assert (result.customers_created, result.messages, result.purchases) == (0, 2, 2)
    customer = Customer.objects.get()
    assert (customer.external_id, customer.phone, customer.total_spent) == (
        "+255755197700",
        "+255755197711",
        Decimal("350"),
    )
    assert Event.objects.filter(customer=customer, type="message_logged").count() == 3


@pytest.mark.django_db
def test_the_admin_imports_a_log_with_both_numbers_of_a_customer(admin_client):
    communications_log_import(
        rows=log_rows([{"phone": "0755197700", "date": "2025-09-01", "message": "hi", "amount": ""}]), currency="TZS"
    )
    customer_upsert(external_id="+255755197700", phone="+255755197711")
    response = admin_import(admin_client, HEADER + "0755197700,2025-09-10,old,\n0755197711,2025-09-11,new,\n")
    assert response.status_code == 302
    assert Event.objects.filter(type="message_logged").count() == 3


def overflowing_log() -> str:  # each amount is allowed; eleven of them are past a total's 13 integer digits
    return HEADER + "".join(f"0755197700,2025-09-{day:02d},order,999999999999\n" for day in range(1, 12))


@pytest.mark.django_db
def test_amounts_summing_past_a_customers_total_are_refused_in_the_admin_and_nothing_is_written(admin_client):
    response = admin_import(admin_client, overflowing_log())
    assert response.status_code == 200
    assert "Nothing imported: The amounts for +255755197700 bring the customer&#x27;s total past" in (
        response.content.decode()
    )
    assert not Customer.objects.exists() and not Event.objects.exists() and not Order.objects.exists()


@pytest.mark.django_db
def test_amounts_summing_past_a_customers_total_are_refused_by_the_command(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(overflowing_log())
    with pytest.raises(CommandError, match=r"Nothing imported: .*\+255755197700 bring the customer's total past"):
        call_command("import_csv", "communications", str(path), "--currency=TZS", "--region=TZ", stdout=io.StringIO())
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_log_that_adds_to_an_earlier_total_past_the_limit_is_refused():
    near = [{"phone": "0755197700", "date": f"2025-08-{day:02d}", "message": "o", "amount": "999999999999"}
            for day in range(1, 10)]  # fmt: skip
    communications_log_import(rows=log_rows(near), currency="TZS")
    more = [{"phone": "0755197700", "date": "2025-09-01", "message": "o", "amount": "999999999999"},
            {"phone": "0755197700", "date": "2025-09-02", "message": "o", "amount": "999999999999"}]  # fmt: skip
    with pytest.raises(ValidationError):
        communications_log_import(rows=log_rows(more), currency="TZS")
    assert Order.objects.count() == 9
