"""Exports in the background (issue #19): a job, a file written in chunks with progress, a page that refreshes,
a download; safe to run twice; CSV and XLSX; only what the user may see."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from openpyxl import load_workbook

from audiences.services.customers import customer_upsert
from config.export_jobs import export_run, export_start, exports_dir
from config.exports import Export, register_export
from config.models import ExportJob
from messaging.models import Message
from messaging.services.templates import template_create
from tests.backoffice.conftest import signed_in, staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def customers(n: int) -> None:
    for i in range(n):
        customer_upsert(external_id=f"C-{i:03}", first_name="=HYPERLINK(1)" if i == 0 else f"N{i}")


def download(client, job: ExportJob) -> bytes:
    answer = client.get(f"/admin/exports/{job.pk}/download/")
    assert answer.status_code == 200
    return b"".join(answer.streaming_content)


def test_an_analyst_exports_customers_as_csv_through_a_job_and_downloads_it(
    analyst_admin, django_capture_on_commit_callbacks
):
    customers(5)
    with django_capture_on_commit_callbacks(execute=True):  # the task, queued once the job is saved, runs eagerly
        started = analyst_admin.post("/admin/exports/start/", {"key": "customers-with-scores", "format": "csv"})
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/admin/exports/{job.pk}/"

    page = analyst_admin.get(f"/admin/exports/{job.pk}/").content.decode()
    status = page[page.index('<div id="export-job"') :]
    assert "5 of 5 rows (100%)" in " ".join(status.split()), status[:600] and 'http-equiv="refresh"' not in page
    rows = list(csv.reader(io.StringIO(download(analyst_admin, job).decode("utf-8-sig"))))
    assert rows[0][:2] == ["external_id", "email"] and "segments" in rows[0] and "rfm_group" in rows[0]
    assert [row[0] for row in rows[1:]] == [f"C-{i:03}" for i in range(5)]
    assert "'=HYPERLINK(1)" in rows[1]  # a formula is written as text
    listing = analyst_admin.get("/admin/exports/").content.decode()
    assert "Customers with segments and scores" in listing and "Ready (100%)" in listing


def test_messages_with_their_status_as_xlsx_in_chunks(analyst_admin):
    customers(3)
    template = template_create(code="hi", name="Hi", channel="email", kind="marketing",
                               translations=[{"language": "en", "subject": "Hi", "html": "<p>Hi</p>"}])  # fmt: skip
    for n, customer in enumerate(customer_upsert(external_id=f"C-{i:03}")[0] for i in range(3)):
        Message.objects.create(idempotency_key=f"k{n}", customer=customer, template=template, channel="email",
                               kind="marketing", topic="marketing", status="bounced", reason="hard_bounce",
                               scheduled_for=timezone.now())  # fmt: skip
    user = User.objects.get(username="ana")
    job = export_start(user=user, key="messages", file_format="xlsx")
    job = export_run(job_id=job.pk, chunk_size=2)  # run again with small chunks: it was done, nothing changes
    assert job.status == "done" and job.written == job.total == 3

    sheet = load_workbook(io.BytesIO(download(analyst_admin, job))).active
    values = list(sheet.values)
    assert values[0][:3] == ("id", "customer", "channel")
    status = values[0].index("status")
    assert [row[status] for row in values[1:]] == ["bounced"] * 3


def test_a_second_run_while_the_first_writes_takes_over_and_leaves_one_whole_file(
    db, django_capture_on_commit_callbacks
):
    """A worker killed mid-file gets its task again (acks late): the new run starts over, the old one stops."""
    user = staff_in("Analyst", "ana")
    seen = []

    def chunks(params, size):
        for start in range(0, 6, 2):  # three chunks of two, whatever the size asked
            if start == 2 and not seen:
                seen.append("second run")
                assert export_run(job_id=ExportJob.objects.get().pk).status == "done"
            yield [[n, f"row {n}"] for n in range(start, start + 2)]

    register_export(Export(key="numbers", title="Numbers", permission="audiences.view_customer",
                           columns=lambda p: ["n", "name"], count=lambda p: 6, chunks=chunks))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(user=user, key="numbers", file_format="csv")  # eager: the first run, interrupted
    job.refresh_from_db()
    assert seen == ["second run"]
    assert (job.status, job.attempt, job.written, job.total) == ("done", 2, 6, 6)
    files = sorted(path.name for path in exports_dir().iterdir())
    assert files == [job.file_name]  # no part file left behind
    text = (exports_dir() / job.file_name).read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["n,name", *(f"{n},row {n}" for n in range(6))]


def test_a_job_left_running_by_a_killed_worker_is_written_again_whole(db):
    customers(3)
    user = staff_in("Analyst", "ana")
    job = ExportJob.objects.create(key="customers-with-scores", title="Customers", format="csv", created_by=user,
                                   status="running", attempt=1, written=2, total=3)  # fmt: skip
    (Path(exports_dir()) / "x").parent.mkdir(parents=True, exist_ok=True)
    job = export_run(job_id=job.pk, chunk_size=1)
    assert (job.status, job.attempt, job.written) == ("done", 2, 3)


def test_the_progress_page_refreshes_itself_while_the_file_is_written(analyst_admin):
    job = ExportJob.objects.create(key="orders", title="Orders", format="csv", created_by=analyst_admin.user,
                                   status="running", written=2_500, total=10_000)  # fmt: skip
    page = analyst_admin.get(f"/admin/exports/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "2,500 of 10,000 rows (25%)" in page and "Download" not in page
    assert analyst_admin.get(f"/admin/exports/{job.pk}/download/").status_code == 404


def test_only_the_exports_a_user_may_see_and_only_their_own_jobs(analyst_admin, db):
    nobody = signed_in(staff_in(None, "nobody"))
    assert "No export is open to you." in nobody.get("/admin/exports/").content.decode()
    refused = nobody.post("/admin/exports/start/", {"key": "orders", "format": "csv"}, follow=True)
    assert "Nothing was exported: There is no export &#x27;orders&#x27; open to you." in refused.content.decode()
    wrong = analyst_admin.post("/admin/exports/start/", {"key": "orders", "format": "pdf"}, follow=True)
    assert "Export as CSV or XLSX, not &#x27;pdf&#x27;." in wrong.content.decode()
    no_campaign = analyst_admin.post("/admin/exports/start/", {"key": "campaign-results", "format": "csv"}, follow=True)
    assert "Choose the campaign to export." in no_campaign.content.decode()
    assert not ExportJob.objects.exists()

    job = export_start(user=analyst_admin.user, key="orders", file_format="csv")
    assert nobody.get(f"/admin/exports/{job.pk}/").status_code == 403
    assert nobody.get(f"/admin/exports/{job.pk}/download/").status_code == 403
    listing = analyst_admin.get("/admin/exports/").content.decode()
    for title in ("Customers with segments and scores", "Orders", "Redemptions", "Messages with their status",
                  "Campaign results", "Loyalty points ledger"):  # fmt: skip
        assert title in listing
