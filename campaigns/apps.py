from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from campaigns.data_subjects import register_campaigns_data_sections

        register_campaigns_data_sections()
        from audiences.order_import_steps import register_order_import_step
        from campaigns import receivers  # noqa: F401  (connects the signal receivers)
        from campaigns.journeys import receivers as journey_receivers  # noqa: F401
        from campaigns.leads import receivers as lead_receivers  # noqa: F401
        from campaigns.order_hooks import (
            ATTRIBUTION_ON_PLACE,
            attribute_placed_order,
            credit_imported_orders,
            forget_cancelled_order,
        )
        from promotions.order_hooks import register_order_hook

        register_order_hook(
            "campaigns",
            on_place=attribute_placed_order,
            on_cancel=forget_cancelled_order,
            place_fields=ATTRIBUTION_ON_PLACE,
        )
        register_order_import_step("campaigns", credit_imported_orders)
