"""The customer page's data-subject requests: export (whoever reads the customer page), erase after a
confirmation page (Marketers and Administrators), the audit list."""

import pytest

from audiences.models import Customer, DataSubjectRequest
from audiences.services.consent import consent_record
from audiences.services.customers import customer_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def rahim(db) -> Customer:
    customer, _ = customer_upsert(external_id="C-77", first_name="Rahim", email="rahim@example.com")
    consent_record(customer=customer, channel="email", status="opted_in", source="signup")
    return customer


def test_only_a_marketer_is_offered_the_erasure(marketer_admin, analyst_admin, rahim):
    page = marketer_admin.get(f"/admin/audiences/customer/{rahim.pk}/change/").content.decode()
    seen_by_analyst = analyst_admin.get(f"/admin/audiences/customer/{rahim.pk}/change/").content.decode()

    assert 'id="export-customer-data"' in page and 'id="erase-customer"' in page
    assert 'id="export-customer-data"' in seen_by_analyst and "erase-customer" not in seen_by_analyst
    assert analyst_admin.get(f"/admin/audiences/customer/{rahim.pk}/erase/").status_code == 403
    assert analyst_admin.post(f"/admin/audiences/customer/{rahim.pk}/erase/", {"confirmed": "yes"}).status_code == 403
    assert analyst_admin.post(f"/admin/audiences/customer/{rahim.pk}/export-data/").status_code == 200
    assert Customer.objects.get(pk=rahim.pk).erased_at is None


def test_export_downloads_the_file_and_is_recorded(marketer_admin, rahim):
    followed = marketer_admin.get(f"/admin/audiences/customer/{rahim.pk}/export-data/")  # a link, not the button
    assert followed.status_code == 302 and not DataSubjectRequest.objects.exists()

    answer = marketer_admin.post(f"/admin/audiences/customer/{rahim.pk}/export-data/")

    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    assert b'"rahim@example.com"' in answer.content
    recorded = DataSubjectRequest.objects.get()
    assert (recorded.kind, recorded.requested_by, recorded.status) == ("export", marketer_admin.user, "done")


def test_erasure_asks_first_then_runs_and_is_audited(marketer_admin, rahim, django_capture_on_commit_callbacks):
    url = f"/admin/audiences/customer/{rahim.pk}/erase/"

    question = marketer_admin.get(url).content.decode()
    assert "Yes, erase C-77" in question and "salted hashes" in question
    assert not DataSubjectRequest.objects.exists()  # asking changed nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = marketer_admin.post(url, {"confirmed": "yes"}, follow=True)

    assert "is being erased" in done.content.decode()
    rahim.refresh_from_db()
    assert rahim.erased_at is not None and rahim.email == "" and rahim.first_name == ""
    listing = marketer_admin.get("/admin/audiences/datasubjectrequest/?kind=erasure").content.decode()
    assert "C-77" in listing and "mia" in listing
    page = marketer_admin.get(f"/admin/audiences/customer/{rahim.pk}/change/").content.decode()
    assert "erase-customer" not in page and "Erased" in page
    assert 'name="email"' not in page  # the profile is read-only now
    again = marketer_admin.get(url).content.decode()
    assert "was asked to be erased" in again
