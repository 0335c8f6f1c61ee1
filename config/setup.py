"""Writes that keep the installation in shape: periodic tasks, roles, heartbeat."""

import json

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.models import Heartbeat
from config.periodic_tasks import periodic_tasks

DOMAIN_APPS = ("audiences", "promotions", "loyalty", "messaging", "campaigns")
# Given to users one by one, never with a role: whoever builds a campaign does not approve it.
APPROVAL_PERMISSIONS = ("approve_campaign",)
MANAGED_DESCRIPTION_PREFIX = "[managed] "


@transaction.atomic
def periodic_tasks_install() -> int:
    """Upsert every declared periodic task; delete managed ones no longer declared."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    declared = periodic_tasks()
    for spec in declared:
        schedule_kwargs = {}
        if spec.every_seconds:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=spec.every_seconds, period=IntervalSchedule.SECONDS
            )
            schedule_kwargs = {"interval": interval, "crontab": None}
        else:
            minute, hour, day_of_month, month_of_year, day_of_week = spec.crontab.split()
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
                timezone=spec.timezone,
            )
            schedule_kwargs = {"crontab": crontab, "interval": None}
        PeriodicTask.objects.update_or_create(
            name=spec.name,
            defaults={
                "task": spec.task,
                "enabled": True,
                "description": MANAGED_DESCRIPTION_PREFIX + spec.description,
                "kwargs": json.dumps({}),
                "expire_seconds": spec.expire_seconds,
                **schedule_kwargs,
            },
        )
    PeriodicTask.objects.filter(description__startswith=MANAGED_DESCRIPTION_PREFIX).exclude(
        name__in=[spec.name for spec in declared]
    ).delete()
    return len(declared)


@transaction.atomic
def roles_install() -> None:
    """Marketer may change everything in the domain apps but approve; Analyst may only view (and export)."""
    domain_permissions = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS).exclude(
        codename__in=APPROVAL_PERMISSIONS
    )
    marketer, _ = Group.objects.get_or_create(name="Marketer")
    marketer.permissions.set(domain_permissions)
    analyst, _ = Group.objects.get_or_create(name="Analyst")
    analyst.permissions.set(domain_permissions.filter(codename__startswith="view_"))


def install_after_migrate(**kwargs) -> None:
    # post_migrate reaches this app before the domain apps have their permissions.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    periodic_tasks_install()
    roles_install()


def heartbeat_record(*, name: str) -> None:
    updated = Heartbeat.objects.filter(name=name).update(last_seen_at=timezone.now(), beats=F("beats") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"last_seen_at": timezone.now(), "beats": 1})
