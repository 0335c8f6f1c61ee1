"""The results answer as CSV: one row per variant, then the total (the same figures as the JSON).

The JSON's `converted` (customers with a credited order) and `conversions` (credited orders, a sum of shares)
are headed `customers_converted` and `attributed_orders` here, so a spreadsheet cannot read one as the other;
counts are written as integers when whole. Won leads are the campaign's, so only the total row has them (and
only its ROI counts them)."""

import csv
import io

from config.numbers import count

COLUMNS = (
    "variant", "recipients", "sent", "delivered", "opened", "clicked", "customers_converted", "attributed_orders",
    "conversion_rate", "revenue", "discount_cost", "sending_cost", "roi", "currency", "model",
    "won_leads", "won_lead_value", "won_lead_revenue",
)  # fmt: skip


def _row(figures: dict) -> dict:
    return {**figures, "customers_converted": figures["converted"], "attributed_orders": count(figures["conversions"])}


def results_csv(answer: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    common = {"currency": answer["currency"], "model": answer["model"]}
    for variant in answer["variants"]:
        writer.writerow({**_row(variant), **common, "variant": variant["name"], "conversion_rate": _rate(variant)})
    recipients = sum(v["recipients"] for v in answer["variants"])
    writer.writerow(
        {
            **_row(answer),
            **common,
            "variant": "total",
            "recipients": recipients,
            "conversion_rate": _rate({"converted": answer["converted"], "recipients": recipients}),
        }
    )
    return out.getvalue()


def _rate(row: dict) -> str:
    return f"{row['converted'] / row['recipients']:.6f}" if row["recipients"] else ""
