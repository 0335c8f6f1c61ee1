from celery import shared_task

from config import setup


@shared_task(name="config.tasks.heartbeat")
def heartbeat():
    setup.heartbeat_record(name="beat")
