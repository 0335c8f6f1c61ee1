"""django-import-export resources: what an analyst exports (CSV or XLSX, formula-like cells neutralised)."""

from import_export import fields, resources

from promotions.models import Redemption


class RedemptionResource(resources.ModelResource):
    order = fields.Field(attribute="order__external_id", column_name="order")
    promotion = fields.Field(attribute="promotion__name", column_name="promotion")
    code = fields.Field(attribute="code__code", column_name="code")
    customer = fields.Field(attribute="customer__external_id", column_name="customer")

    class Meta:
        model = Redemption
        fields = ["order", "promotion", "code", "customer", "amount", "currency", "status", "created_at", "released_at"]
        export_order = fields
