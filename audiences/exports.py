"""The audiences' background exports (config/exports.py): customers with their segments and scores, orders."""

from audiences.models import Customer, Order
from audiences.resources import CustomerWithScoresResource, OrderResource
from config.exports import register_export, resource_export

register_export(
    resource_export(
        key="customers-with-scores",
        title="Customers with segments and scores",
        permission="audiences.view_customer",
        resource=CustomerWithScoresResource,
        queryset=Customer.objects.all,
        position=10,
    )
)
register_export(
    resource_export(
        key="orders",
        title="Orders",
        permission="audiences.view_order",
        resource=OrderResource,
        queryset=Order.objects.all,
        position=20,
    )
)
