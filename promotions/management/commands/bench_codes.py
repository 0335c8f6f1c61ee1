import resource
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from promotions.models import CodeGenerationJob, Promotion, PromotionCode
from promotions.services.codes import code_generation_run


class Command(BaseCommand):
    help = "Time the generation of unique coupon codes (default 1,000,000) as the background job does it."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1_000_000)
        parser.add_argument("--pattern", default="WIN-####-####")

    def handle(self, *args, count, pattern, **options):
        with transaction.atomic():
            promotion = Promotion.objects.create(
                name="bench codes", status="draft", trigger="code", reward={"type": "fixed_amount", "value": "10"},
                reward_type="fixed_amount",
            )  # fmt: skip
            job = CodeGenerationJob.objects.create(promotion=promotion, count=count, pattern=pattern)
        try:
            started = time.perf_counter()
            job = code_generation_run(job_id=job.pk)
            seconds = time.perf_counter() - started
            stored = PromotionCode.objects.filter(job=job).count()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.stdout.write(
                f"{connection.vendor}: {stored:,} unique codes ({job.status}) in {seconds:.1f} s, "
                f"{stored / seconds:,.0f} codes/s, peak memory {peak:.0f} MiB"
            )
        finally:
            # One SQL DELETE: the ORM's delete() would load a million codes to check their redemptions.
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {PromotionCode._meta.db_table} WHERE promotion_id = %s", [promotion.pk])  # noqa: S608
            promotion.delete()
