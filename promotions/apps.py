from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = "Promotions"

    def ready(self):
        from promotions.data_subjects import register_promotions_data_sections

        register_promotions_data_sections()
        from audiences.order_cancel_steps import register_order_cancel_step
        from promotions import receivers  # noqa: F401 (connects them)
        from promotions.order_cancellation import order_claims_release

        register_order_cancel_step("promotions", order_claims_release)
