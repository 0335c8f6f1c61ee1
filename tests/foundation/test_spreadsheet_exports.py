"""Exports open safely in a spreadsheet: a cell that would be a formula is neutralised, numbers stay numbers."""

import csv
import io

import openpyxl
import pytest

from audiences.services.customers import customer_upsert
from config.spreadsheets import neutralise

pytestmark = pytest.mark.django_db

FORMULA_NAME = '=HYPERLINK("http://evil.example","Click")'


@pytest.mark.parametrize(
    ("cell", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),
        ("+8801712345678", "+8801712345678"),
        ("Rahim", "Rahim"),
        (42, 42),
    ],
)
def test_formula_like_text_is_neutralised_and_numbers_are_not(cell, exported):
    assert neutralise(cell) == exported


def _export(admin_client, fmt: int) -> bytes:
    page = admin_client.get("/admin/audiences/customer/export/").content.decode()
    fields = ("external_id", "first_name", "phone", "orders_count")
    body = {"format": str(fmt), "resource": "0", **{f"customerresource_{name}": "on" for name in fields}}
    assert "customerresource_first_name" in page
    response = admin_client.post("/admin/audiences/customer/export/", body)
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_the_admin_csv_export_neutralises_a_customer_name_from_the_storefront(admin_client):
    customer_upsert(external_id="C-1", first_name=FORMULA_NAME, phone="01712345678")
    rows = list(csv.DictReader(io.StringIO(_export(admin_client, 0).decode())))
    assert rows[0]["first_name"] == "'" + FORMULA_NAME
    assert rows[0]["phone"] == "+8801712345678"


def test_the_admin_xlsx_export_neutralises_text_and_keeps_numbers(admin_client):
    customer_upsert(external_id="C-1", first_name=FORMULA_NAME)
    sheet = openpyxl.load_workbook(io.BytesIO(_export(admin_client, 1))).active
    header, row = [cell.value for cell in sheet[1]], [cell.value for cell in sheet[2]]
    record = dict(zip(header, row, strict=True))
    assert record["first_name"] == "'" + FORMULA_NAME and record["orders_count"] == 0
