"""The results API's answer: campaign_results' figures as JSON (money as strings in the campaign's currency),
and the serializers that document its shape."""

from dataclasses import asdict
from decimal import Decimal

from rest_framework import serializers

from campaigns.api.serializers import StagedTestOutput, money
from config.numbers import count


class VariantResultOutput(serializers.Serializer):
    name = serializers.CharField()
    weight = serializers.IntegerField()
    recipients = serializers.IntegerField()
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    skipped = serializers.IntegerField()
    converted = serializers.IntegerField(help_text="Recipients with an order credited to the campaign.")
    conversions = serializers.CharField(
        help_text='Orders credited (linear credit counts shares), as a string: "119", "2.5".'
    )
    conversion_rate = serializers.FloatField(help_text="converted / recipients.")
    revenue = serializers.CharField()
    discount_cost = serializers.CharField()
    sending_cost = serializers.CharField()
    roi = serializers.CharField(allow_null=True, help_text="(revenue − costs) / costs; null when nothing was spent.")


class HoldoutResultOutput(serializers.Serializer):
    recipients = serializers.IntegerField()
    would_skip = serializers.IntegerField(help_text="Members the outbox would have skipped (intent-to-treat).")
    would_skip_by_reason = serializers.DictField(child=serializers.IntegerField())


class WinnerOutput(serializers.Serializer):
    variant = serializers.CharField()
    confidence = serializers.FloatField()


class DecisionOutput(serializers.Serializer):
    metric = serializers.CharField()
    reason = serializers.CharField()
    message = serializers.CharField()
    rates = serializers.DictField(child=serializers.FloatField())
    sample_ratio_p_value = serializers.FloatField()
    sample_ratio_mismatch = serializers.BooleanField()


class RevenueLiftOutput(serializers.Serializer):
    treatment_per_recipient = serializers.CharField()
    control_per_recipient = serializers.CharField()
    absolute = serializers.CharField(help_text="Incremental revenue per recipient.")
    ci_low = serializers.CharField()
    ci_high = serializers.CharField()
    p_value = serializers.FloatField()
    incremental = serializers.CharField(help_text="Over all treated recipients.")
    incremental_ci_low = serializers.CharField()
    incremental_ci_high = serializers.CharField()


class LiftOutput(serializers.Serializer):
    treatment_rate = serializers.FloatField()
    control_rate = serializers.FloatField()
    absolute = serializers.FloatField(help_text="Incremental conversions per recipient (rate difference).")
    relative = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField()
    ci_high = serializers.FloatField()
    p_value = serializers.FloatField()
    incremental = serializers.FloatField()
    incremental_ci_low = serializers.FloatField()
    incremental_ci_high = serializers.FloatField()
    revenue = RevenueLiftOutput()


class LiftStatusOutput(serializers.Serializer):
    measurable = serializers.BooleanField()
    status = serializers.CharField()
    message = serializers.CharField(help_text="Says that lift cannot be measured, and why, when it cannot.")
    treated_recipients = serializers.IntegerField()
    holdout_recipients = serializers.IntegerField()


class DayOutput(serializers.Serializer):
    date = serializers.DateField()
    sent = serializers.IntegerField()
    clicked = serializers.IntegerField()
    conversions = serializers.CharField()
    revenue = serializers.CharField()


class SendTimeArmOutput(serializers.Serializer):
    arm = serializers.CharField(help_text="best, explore (a random hour of the window) or control (the fixed hour).")
    label = serializers.CharField()
    recipients = serializers.IntegerField(help_text="Messages queued in the arm.")
    clicked = serializers.IntegerField(help_text="Recipients who clicked.")
    clicks_per_recipient = serializers.FloatField()


class ResultsOutput(serializers.Serializer):
    status = serializers.CharField()
    model = serializers.CharField(help_text="The attribution model: last_touch, first_touch or linear.")
    metric = serializers.CharField(help_text="What the winner is judged on: conversion or click.")
    audience_size = serializers.IntegerField()
    holdout_size = serializers.IntegerField()
    frozen = serializers.IntegerField()
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    skipped = serializers.DictField(child=serializers.IntegerField())
    converted = serializers.IntegerField()
    conversions = serializers.CharField()
    revenue = serializers.CharField()
    currency = serializers.CharField()
    sending_cost = serializers.CharField()
    discount_cost = serializers.CharField()
    leads = serializers.IntegerField(help_text="Leads credited to the campaign (its message last touched them).")
    won_leads = serializers.IntegerField(help_text="Those won, in the campaign's currency.")
    won_lead_value = serializers.CharField(help_text="Their value.")
    won_lead_revenue = serializers.CharField(
        help_text="The part of won_lead_value whose closing order is not already in revenue: what ROI adds."
    )
    roi = serializers.CharField(
        allow_null=True, help_text="(revenue + won_lead_revenue − costs) / costs; null when nothing was spent."
    )
    launch_started_at = serializers.DateTimeField(allow_null=True)
    launch_finished_at = serializers.DateTimeField(allow_null=True)
    variants = VariantResultOutput(many=True)
    holdout = HoldoutResultOutput()
    winner = WinnerOutput(allow_null=True)
    decision = DecisionOutput(allow_null=True, help_text="Why there is a winner or not; null with one variant.")
    lift = LiftOutput(allow_null=True, help_text="Null when lift cannot be measured (see lift_status).")
    lift_status = LiftStatusOutput()
    staged_test = StagedTestOutput(allow_null=True, help_text="A staged test's state; null without one.")
    daily = DayOutput(many=True)
    send_times = SendTimeArmOutput(many=True, help_text="A best-hour campaign's arms; empty for other campaigns.")


def results_answer(results: dict) -> dict:
    """The results as JSON values: money as strings in the currency, the statistics' dataclasses as objects."""
    currency = results["currency"]
    answer = dict(results)
    for field in ("revenue", "sending_cost", "discount_cost", "won_lead_value", "won_lead_revenue"):
        answer[field] = money(results[field], currency)
    answer["conversions"] = str(count(results["conversions"]))
    answer["roi"] = None if results["roi"] is None else str(results["roi"])
    answer["variants"] = [
        {
            **variant,
            **{field: money(variant[field], currency) for field in ("revenue", "discount_cost", "sending_cost")},
            "conversions": str(count(variant["conversions"])),
            "roi": None if variant["roi"] is None else str(variant["roi"]),
        }
        for variant in results["variants"]
    ]
    decision = results["decision"]
    answer["winner"] = (
        {"variant": decision.winner, "confidence": decision.confidence} if decision and decision.winner else None
    )
    answer["decision"] = decision and {
        "metric": str(decision.metric),
        "reason": str(decision.reason),
        "message": decision.message,
        "rates": decision.rates,
        "sample_ratio_p_value": decision.sample_ratio.p_value,
        "sample_ratio_mismatch": decision.sample_ratio.mismatch,
    }
    measured = results["lift"]
    answer["lift_status"] = {
        "measurable": measured.measurable,
        "status": str(measured.status),
        "message": measured.message,
        "treated_recipients": measured.treated_recipients,
        "holdout_recipients": measured.holdout_recipients,
    }
    answer["lift"] = (
        {
            **asdict(measured.conversions),
            "revenue": {key: _plain(value, currency) for key, value in asdict(measured.revenue).items()},
        }
        if measured.measurable
        else None
    )
    answer["daily"] = [
        {**day, "conversions": str(count(day["conversions"])), "revenue": money(day["revenue"], currency)}
        for day in results["daily"]
    ]
    return answer


def _plain(value, currency):
    return money(value, currency) if isinstance(value, Decimal) else value
