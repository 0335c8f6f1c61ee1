"""The messaging background export (config/exports.py): messages with their status and reason."""

from config.exports import register_export, resource_export
from messaging.models import Message
from messaging.resources import MessageResource

register_export(
    resource_export(
        key="messages",
        title="Messages with their status",
        permission="messaging.view_message",
        resource=MessageResource,
        queryset=lambda: Message.objects.select_related("customer", "template"),
        position=40,
    )
)
