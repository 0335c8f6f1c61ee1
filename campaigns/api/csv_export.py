"""The results answer as CSV: one row per variant, then the total (the same figures as the JSON)."""

import csv
import io

COLUMNS = (
    "variant", "recipients", "sent", "delivered", "opened", "clicked", "converted", "conversions",
    "conversion_rate", "revenue", "discount_cost", "sending_cost", "roi", "currency", "model",
)  # fmt: skip


def results_csv(answer: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    common = {"currency": answer["currency"], "model": answer["model"]}
    for variant in answer["variants"]:
        writer.writerow({**variant, **common, "variant": variant["name"], "conversion_rate": _rate(variant)})
    recipients = sum(v["recipients"] for v in answer["variants"])
    writer.writerow(
        {
            **answer,
            **common,
            "variant": "total",
            "recipients": recipients,
            "conversion_rate": _rate({"converted": answer["converted"], "recipients": recipients}),
        }
    )
    return out.getvalue()


def _rate(row: dict) -> str:
    return f"{row['converted'] / row['recipients']:.6f}" if row["recipients"] else ""
