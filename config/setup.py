"""Writes that keep the installation in shape: periodic tasks, roles, heartbeat."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.models import Heartbeat
from config.periodic_tasks import periodic_tasks
from config.roles import roles_sync

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
    """The Marketer, Analyst and Administrator groups with the permissions of the models there are now."""
    from django.apps import apps

    roles_sync(group_model=Group, permission_model=Permission, models=apps.get_models())


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


def role_members_make_staff(*, user_ids) -> int:
    """Give staff status (the admin's sign-in) to users just given a role; answers how many changed."""
    return get_user_model().objects.filter(pk__in=list(user_ids), is_staff=False).update(is_staff=True)
