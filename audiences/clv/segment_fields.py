"""The segment fields over the lifetime-value predictions (audiences/clv): the model's own fields, registered
beside it as places and vehicles register theirs."""

from audiences.segments.fields import COMPARISON, SegmentField, column, register_segment_field


def register_prediction_fields() -> None:
    register_segment_field(
        SegmentField(
            name="p_alive",
            kind="decimal",
            ops=COMPARISON,
            compile=column("prediction__p_alive"),
            label="Probability still buying",
            description="Probability, 0 to 1, that the customer still buys (nightly, docs/intelligence.md).",
        )
    )
    register_segment_field(
        SegmentField(
            name="predicted_clv_12m",
            kind="decimal",
            ops=COMPARISON,
            compile=column("prediction__predicted_clv_12m"),
            label="Predicted 12-month value",
            description="Predicted spend in the next 12 months, in the customer's currency.",
        )
    )
    register_segment_field(
        SegmentField(
            name="churn_risk",
            kind="choice",
            ops=("eq", "ne", "in", "not_in", "exists"),
            choices=("low", "medium", "high"),
            compile=column("prediction__churn_risk", text=True),
            label="Churn risk",
            description="From the probability alive: low at 0.7 or more, high under 0.3, medium between.",
        )
    )
