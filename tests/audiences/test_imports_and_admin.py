import json

import pytest
from django.core.management import CommandError, call_command

from audiences import resources
from audiences.models import Consent, Customer, Event, Segment
from audiences.scoring import scores_recompute
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "external_id,email,phone,first_name,store,city\n"
    "C-1,a@example.com,01712345678,Asha,,Dhaka\n"
    "C-2,b@example.com,12345,Bad,,Dhaka\n"
    "C-3,c@example.com,+255755197700,Juma,NOPE,Arusha\n"
)


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str):
        path = tmp_path / "data.csv"
        path.write_text(text)
        return str(path)

    return write


def test_a_bad_file_imports_nothing_and_names_the_rows(csv_file, capsys):
    with pytest.raises(CommandError, match="2 bad row"):
        call_command("import_csv", "customers", csv_file(CUSTOMERS))
    out = capsys.readouterr().out
    assert "row 3: phone: '12345' is not a valid phone number." in out
    assert "row 4: store: Unknown store 'NOPE'." in out
    assert not Customer.objects.exists()


def test_dry_run_writes_nothing_and_skip_bad_rows_imports_the_rest(csv_file, capsys):
    path = csv_file(CUSTOMERS)
    call_command("import_csv", "customers", path, "--dry-run", "--skip-bad-rows")
    assert not Customer.objects.exists()
    call_command("import_csv", "customers", path, "--skip-bad-rows")
    assert list(Customer.objects.values_list("external_id", "phone")) == [("C-1", "+8801712345678")]
    assert "1 new" in capsys.readouterr().out


def test_consent_import_appends_history(csv_file):
    customer = customer_upsert(external_id="C-1")[0]
    call_command(
        "import_csv",
        "consents",
        csv_file(
            "customer,channel,status,source,recorded_at\n"
            "C-1,sms,opted_in,pos,2026-01-01T00:00:00Z\n"
            "C-1,sms,opted_out,sms_stop,2026-02-01T00:00:00Z\n"
        ),
    )
    assert Consent.objects.get(customer=customer, channel="sms").status == "opted_out"
    assert customer.consent_records.count() == 2


def test_communications_log_becomes_customers_and_events(csv_file, settings):
    settings.DEFAULT_PHONE_REGION = "TZ"
    call_command(
        "import_csv",
        "communications",
        csv_file(
            "phone,date,message,amount,name\n"
            "0755197700,2025-09-01,Nataka simu,150000,Juma\n"
            '0755197700,2025-09-05,Asante,"1,200",Juma\n'
            "+8801712345678,2025-09-02T10:00:00+06:00,Hello,0,\n"
        ),
    )
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"+255755197700", "+8801712345678"}
    amounts = sorted(e.properties["amount"] for e in Event.objects.filter(type="message_logged"))
    assert amounts == ["0", "1200", "150000"]


def test_admin_segment_editor_rejects_bad_rules_and_refreshes_good_ones(admin_client):
    customer_upsert(external_id="C-1", city="Dhaka")
    bad = {"code": "bad", "name": "Bad", "rules": json.dumps({"all": [{"field": "nope", "op": "eq", "value": 1}]})}
    response = admin_client.post("/admin/audiences/segment/add/", bad)
    assert response.status_code == 200
    assert "unknown field &#x27;nope&#x27;" in response.content.decode()
    assert not Segment.objects.filter(code="bad").exists()

    good = {
        "code": "dhaka",
        "name": "Dhaka",
        "rules": json.dumps({"all": [{"field": "city", "op": "eq", "value": "Dhaka"}]}),
    }
    response = admin_client.post("/admin/audiences/segment/add/", good, follow=True)
    assert "refreshed: 1 members" in response.content.decode()
    segment = Segment.objects.get(code="dhaka")
    assert segment.member_count == 1
    page = admin_client.get(f"/admin/audiences/segment/{segment.pk}/change/").content.decode()
    assert "1 customers match now. Sample: C-1" in page
    assert "A marketer, here" in page and "Installed with the engine" not in page


def test_admin_pages_a_marketer_uses(admin_client):
    customer_upsert(external_id="C-1", city="Dhaka")
    scores_recompute()
    for url in [
        "/admin/",
        "/admin/audiences/customer/",
        "/admin/audiences/customer/import/",
        "/admin/audiences/order/",
        "/admin/audiences/segment/",
        "/admin/audiences/customerscore/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert "RFM grid" in admin_client.get("/admin/audiences/customerscore/").content.decode()


ORDERS = (
    "order,customer,store,channel,currency,placed_at,sku,quantity,unit_price,discount,shipping_price\n"
    "O-1,C-1,,pos,BDT,2026-01-05T10:00:00+06:00,TV-55,1,54000.00,1000,120\n"
    "O-1,C-1,,pos,BDT,2026-01-05T10:00:00+06:00,HDMI-2,2,450.00,,120\n"
    "O-2,C-1,,web,BDT,2026-02-01,RICE,3,100,,0\n"
)


def test_orders_import_groups_lines_and_updates_statistics(csv_file):
    customer = customer_upsert(external_id="C-1")[0]
    path = csv_file(ORDERS)
    call_command("import_csv", "orders", path, "--dry-run")
    assert not customer.orders.exists()
    call_command("import_csv", "orders", path)
    call_command("import_csv", "orders", path)  # the same file again records nothing twice
    customer.refresh_from_db()
    assert customer.orders_count == 2
    assert str(customer.total_spent) == "54320.000"  # 54,900 - 1,000 + 120 and 300
    assert customer.orders.get(external_id="O-1").lines.count() == 2


def test_orders_import_with_an_unknown_customer_records_nothing(csv_file):
    customer_upsert(external_id="C-1")
    with pytest.raises(CommandError, match="Unknown customer 'C-404'"):
        call_command("import_csv", "orders", csv_file(ORDERS + "O-3,C-404,,web,BDT,2026-02-01,RICE,1,100,,0\n"))
    assert not Customer.objects.get(external_id="C-1").orders.exists()


def test_admin_shows_total_spent_with_its_currency_and_decimals(admin_client):
    from datetime import UTC, datetime
    from decimal import Decimal

    customer = customer_upsert(external_id="C-1")[0]
    order_create(
        external_id="O-1", currency="TZS", placed_at=datetime(2026, 1, 5, tzinfo=UTC), customer=customer,
        lines=[OrderLineInput(sku="A", quantity=1, unit_price=Decimal("49120"))],
    )  # fmt: skip
    listing = admin_client.get("/admin/audiences/customer/").content.decode()
    page = admin_client.get(f"/admin/audiences/customer/{customer.pk}/change/").content.decode()
    for html in (listing, page):
        assert "TZS 49120.00" in html
        assert "49120.000" not in html
    exported = resources.CustomerResource().export().dict[0]
    assert (exported["currency"], exported["total_spent"]) == ("TZS", "49120.00")


def test_admin_imports_a_communications_log_with_its_currency_and_region(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(text: str, **fields):
        log = SimpleUploadedFile("log.csv", text.encode(), content_type="text/csv")
        return admin_client.post("/admin/audiences/event/import-communications/", {"file": log, **fields}, follow=True)

    url = "/admin/audiences/event/import-communications/"
    assert admin_client.get(url).status_code == 200
    assert url in admin_client.get("/admin/audiences/event/").content.decode()
    bad = upload("phone,date,message,amount\n0755197700,2025-09-01,Simu mbovu,150000\n12,2025-09-01,x,1\n",
                 currency="TZS", region="TZ")  # fmt: skip
    assert "row 3: phone:" in bad.content.decode() and "nothing imported" in bad.content.decode()
    assert not Customer.objects.exists()
    assert "Unknown phone region" in upload("phone,date,message,amount\n", currency="TZS", region="QQ").content.decode()

    done = upload("phone,date,message,amount\n0755197700,2025-09-01,Simu mbovu,150000\n", currency="TZS", region="TZ")
    assert "amounts in TZS, national phone numbers in region TZ): 1 new customer(s)" in done.content.decode()
    customer = Customer.objects.get(phone="+255755197700")
    assert (customer.currency, customer.total_spent_display) == ("TZS", "150000.00")
    assert customer.events.filter(type="complaint_opened").count() == 1  # "mbovu": faulty


def test_a_customers_file_naming_a_known_store_and_a_products_file_naming_a_category_import(csv_file):
    from audiences.models import Product
    from audiences.services.catalog import category_upsert, store_upsert

    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="grocery", name="Grocery")
    call_command("import_csv", "customers", csv_file("external_id,first_name,store\nC-9,Asha,DHK-01\n"))
    assert Customer.objects.get(external_id="C-9").store.code == "DHK-01"
    dataset = resources.ProductResource().export()
    dataset.dict = [{**dict.fromkeys(dataset.headers, ""), "sku": "RICE-5", "name": "Rice 5kg",
                     "price": "500.00", "currency": "BDT", "category": "grocery"}]  # fmt: skip
    result = resources.ProductResource().import_data(dataset)
    assert not result.has_errors(), [error.error for _, errors in result.row_errors() for error in errors]
    assert Product.objects.get(sku="RICE-5").category.code == "grocery"
