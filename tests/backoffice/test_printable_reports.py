"""Printable reports (issue #19): a campaign's results and a segment's profile as pages of their own with print
CSS, and as PDFs made in the background by headless Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audiences.models import CustomerScore
from audiences.services.customers import customer_upsert
from campaigns.services import campaign_create, campaign_launch
from config import printing
from config.models import ExportJob
from messaging.models import Template
from tests.backoffice.conftest import signed_in, staff_in
from tests.campaigns.conftest import people, segment_of, touch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def eid(db):
    template = Template.objects.create(code="eid", name="Eid", channel="sms", kind="marketing", topic="marketing")
    customers = people(4)
    for n, customer in enumerate(customers):
        customer_upsert(external_id=customer.external_id, city="Dhaka" if n < 3 else "Khulna")
        CustomerScore.objects.create(customer=customer, rfm_segment="champions" if n < 2 else "at_risk",
                                     computed_at=timezone.now())  # fmt: skip
    campaign = campaign_create(
        name="Eid weekend", include_segments=[segment_of("eid", customers)], holdout_percent=0,
        variants=[{"name": "A", "template": template}],
    )  # fmt: skip
    campaign = campaign_launch(campaign=campaign)
    for n, customer in enumerate(customers[:3]):
        touch(campaign, customer, template, sent_at=timezone.now() - timedelta(days=n))
    return campaign


def test_an_analyst_reads_a_campaigns_printable_report(analyst_admin, eid):
    results = analyst_admin.get(f"/admin/campaigns/campaign/{eid.pk}/results/").content.decode()
    assert f'href="/admin/campaigns/campaign/{eid.pk}/report/"' in results
    page = analyst_admin.get(f"/admin/campaigns/campaign/{eid.pk}/report/").content.decode()
    assert "<h1>Campaign report: Eid weekend</h1>" in page and "@media print" in page and "<script" not in page
    assert page.count('<svg class="chart"') == 3
    assert '<td class="n">3</td>' in page  # the variant's messages sent
    assert 'name="format" value="pdf"' in page


def test_a_segments_printable_profile(marketer_admin, eid):
    segment = eid.include_segments.get()
    # Rules its members match (the fixture's `{"all": []}` is not something the rule builder saves).
    segment.rules = {"all": [{"field": "city", "op": "in", "value": ["Dhaka", "Khulna"]}]}
    segment.save(update_fields=["rules"])
    change = marketer_admin.get(f"/admin/audiences/segment/{segment.pk}/change/").content.decode()
    assert f'href="/admin/audiences/segment/{segment.pk}/report/"' in change
    page = marketer_admin.get(f"/admin/audiences/segment/{segment.pk}/report/").content.decode()
    flat = " ".join(page.split())
    assert "Segment profile:" in page and "<b>4</b><span>members</span>" in flat
    assert '<td>Champions</td><td class="n">2</td><td class="n">50.0%</td>' in flat
    assert '<td>Dhaka</td><td class="n">3</td>' in flat and '<td>Khulna</td><td class="n">1</td>' in flat
    assert page.count('<svg class="chart"') == 1


def test_a_campaign_report_as_pdf_in_the_background(analyst_admin, eid, django_capture_on_commit_callbacks):
    if not printing.chromium_available():
        pytest.fail("PDF reports need Debian's chromium (apt-get install chromium), as the browser tests do")
    form = {"key": "campaign-report", "format": "pdf", "campaign": eid.pk}
    with django_capture_on_commit_callbacks(execute=True):
        started = analyst_admin.post("/admin/exports/start/", form)
    job = ExportJob.objects.get()
    assert started["Location"] == f"/admin/exports/{job.pk}/"
    assert (job.status, job.title, job.written, job.total) == ("done", "Campaign report: Eid weekend", 2, 2), job.error
    pdf = b"".join(analyst_admin.get(f"/admin/exports/{job.pk}/download/").streaming_content)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


def test_without_chromium_the_pdf_job_says_why_and_the_page_stays(analyst_admin, eid, monkeypatch,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    monkeypatch.setattr(printing, "CHROMIUM", "/nonexistent/chromium")
    with django_capture_on_commit_callbacks(execute=True):
        analyst_admin.post("/admin/exports/start/", {"key": "campaign-report", "format": "pdf", "campaign": eid.pk})
    job = ExportJob.objects.get()
    assert job.status == "failed" and "print the HTML report from the browser" in job.error
    assert job.error in analyst_admin.get(f"/admin/exports/{job.pk}/").content.decode()
    assert analyst_admin.get(f"/admin/campaigns/campaign/{eid.pk}/report/").status_code == 200


def test_reports_are_pdf_only_and_for_those_who_may_see_them(analyst_admin, eid):
    wrong = analyst_admin.post("/admin/exports/start/", {"key": "campaign-report", "format": "csv",
                                                         "campaign": eid.pk}, follow=True)  # fmt: skip
    assert "Export as PDF, not &#x27;csv&#x27;." in wrong.content.decode()
    nobody = signed_in(staff_in(None, "nobody"))
    assert nobody.get(f"/admin/campaigns/campaign/{eid.pk}/report/").status_code == 403
    assert "Campaign report" not in analyst_admin.get("/admin/exports/").content.decode()  # asked for from its page
