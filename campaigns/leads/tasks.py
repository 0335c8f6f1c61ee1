"""Leads' Celery tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from campaigns.leads import services


@shared_task(name="campaigns.leads_from_events", ignore_result=True)
def leads_from_events_task(event_ids: list[int]) -> int:
    return services.leads_from_events(event_ids=event_ids)
