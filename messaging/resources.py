"""django-import-export resources: what an analyst exports (CSV or XLSX, formula-like cells neutralised)."""

from import_export import fields, resources

from messaging.models import Message


class MessageResource(resources.ModelResource):
    customer = fields.Field(attribute="customer__external_id", column_name="customer")
    template = fields.Field(attribute="template__code", column_name="template")

    class Meta:
        model = Message
        fields = [
            "id", "customer", "channel", "template", "kind", "topic", "campaign_id", "journey", "variant", "status",
            "reason", "scheduled_for", "sent_at", "delivered_at", "opened_at",
        ]  # fmt: skip
        export_order = fields
