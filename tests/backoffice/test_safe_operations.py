"""Costly actions ask first and say what will happen; records cannot be deleted; codes export per promotion."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import RequestFactory

from audiences.models import ConsentRecord, CustomerScore
from audiences.services.consent import consent_record
from audiences.services.customers import customer_upsert
from messaging.models import Message, TrackingEvent
from promotions.models import CodeGenerationJob, PromotionCode, Redemption
from promotions.services.definitions import promotion_create

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/promotions/promotion/"


def code_promotion(name="Summer", code=""):
    return promotion_create(name=name, trigger="code", code=code, reward={"type": "percentage", "value": "10"})


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """Run the admin's action; the jobs it queues run when its transaction commits (inline in tests)."""

    def generate(client, promotions_, count="2000", pattern="SUM-####-####", **extra):
        body = {"action": "generate_codes", "_selected_action": [p.pk for p in promotions_], "count": count}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(CHANGELIST, {**body, "pattern": pattern, **extra}, follow=True)

    return generate


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_generating_codes_asks_first_showing_what_will_happen(marketer_admin, generate):
    summer = code_promotion()
    automatic = promotion_create(name="Autumn", reward={"type": "percentage", "value": "5"})

    asked = generate(marketer_admin, [summer, automatic])
    assert "Generate 2,000 codes?" in asked.text
    assert "SUM-####-####" in asked.text and "1,099,511,627,776 possible codes" in asked.text
    assert "Refused</strong>: it applies automatically" in asked.text
    assert "Yes, generate 2,000 codes" in asked.text
    assert not CodeGenerationJob.objects.exists()

    done = generate(marketer_admin, [summer, automatic], confirmed="yes")
    assert CodeGenerationJob.objects.get().promotion == summer
    assert PromotionCode.objects.filter(promotion=summer).count() == 2000
    said = shown_messages(done)
    assert "'Summer': generating 2,000 codes SUM-####-#### in the background" in said[0]
    assert said[1] == ("No codes for 'Autumn': Codes can only be generated for a promotion triggered by a code.")


@pytest.mark.parametrize(
    ("count", "pattern", "why"),
    [
        ("ten", "SUM-####-####", "the count 'ten' is not a whole number."),
        ("9000000", "SUM-####-####", "ask for 1 to 5,000,000 codes, not 9,000,000."),
        ("10", "SUM-##", "A unique code needs at least 40 bits of randomness"),
    ],
)
def test_a_refused_request_says_why_and_asks_nothing(marketer_admin, generate, count, pattern, why):
    summer = code_promotion()
    answer = generate(marketer_admin, [summer], count=count, pattern=pattern)
    assert "possible codes" not in answer.text
    assert shown_messages(answer)[0].startswith(f"No codes were generated: {why}")
    assert not CodeGenerationJob.objects.exists()


def test_a_code_job_is_titled_with_the_promotions_name(marketer_admin, generate):
    summer = code_promotion(name="Summer sale")
    generate(marketer_admin, [summer], count="10", confirmed="yes")
    assert str(CodeGenerationJob.objects.get()) == "10 codes SUM-####-#### for Summer sale"
    assert "10 codes SUM-####-#### for Summer sale" in marketer_admin.get("/admin/promotions/codegenerationjob/").text


def test_unique_codes_export_per_promotion_with_the_shared_code_apart(marketer_admin, analyst_admin, generate):
    summer = code_promotion(code="SUMMER")
    generate(marketer_admin, [summer], count="5", confirmed="yes")
    other = code_promotion(name="Other")
    generate(marketer_admin, [other], count="3", confirmed="yes")

    page = marketer_admin.get(f"/admin/promotions/promotion/{summer.pk}/change/").text
    assert "Shared code SUMMER (used 0 times); 5 unique codes, 0 used" in page
    export_url = f"/admin/promotions/promotion/{summer.pk}/codes.csv"
    assert f'href="{export_url}"' in page

    for client in (marketer_admin, analyst_admin):  # exporting is reading: an Analyst may
        response = client.get(export_url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="summer-unique-codes.csv"'
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0] == ["code", "usage_limit", "used"]
        exported = {row[0] for row in rows[1:]}
        assert exported == set(
            PromotionCode.objects.filter(promotion=summer, job__isnull=False).values_list("code", flat=True)
        )
        assert len(exported) == 5 and "SUMMER" not in exported


@pytest.mark.parametrize("model", [Message, TrackingEvent, Redemption, CustomerScore, ConsentRecord, CodeGenerationJob])
def test_no_one_deletes_a_record_in_the_admin_not_even_a_superuser(model):
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser(username="root", password="x", email="root@example.com")
    model_admin = admin.site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_deleting_a_consent_record_is_refused(admin_client):
    customer, _ = customer_upsert(external_id="C-1", email="c1@example.com")
    record = consent_record(customer=customer, channel="email", status="opted_in", source="test")
    assert admin_client.get(f"/admin/audiences/consentrecord/{record.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/audiences/consentrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
