"""The loyalty background export (config/exports.py): the points ledger, one row per entry."""

from import_export import fields, resources

from config.exports import register_export, resource_export
from loyalty.models import LedgerEntry


class LedgerEntryResource(resources.ModelResource):
    customer = fields.Field(attribute="member__customer__external_id", column_name="customer")
    program = fields.Field(attribute="member__program__name", column_name="program")

    class Meta:
        model = LedgerEntry
        fields = [
            "id", "customer", "program", "kind", "points", "source_type", "source_id", "rule", "reason",
            "debt_change", "occurred_at",
        ]  # fmt: skip
        export_order = fields


register_export(
    resource_export(
        key="loyalty-ledger",
        title="Loyalty points ledger",
        permission="loyalty.view_ledgerentry",
        resource=LedgerEntryResource,
        queryset=lambda: LedgerEntry.objects.select_related("member__customer", "member__program"),
        position=60,
    )
)
