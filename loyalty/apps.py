from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = "Loyalty"

    def ready(self):
        from loyalty.data_subjects import register_loyalty_data_sections

        register_loyalty_data_sections()
        from audiences.order_return_steps import register_order_return_step
        from audiences.profile import register_profile_provider
        from loyalty import (
            eligibility,
            offers,
            order_hooks,
            profile,
            receivers,  # noqa: F401 (connects them)
        )
        from loyalty.segment_fields import register_loyalty_segment_fields
        from loyalty.services.returns import order_return_points_reverse
        from promotions.customer_facts import register_customer_facts_provider
        from promotions.engine.conditions import register_condition, string_set
        from promotions.offer_filters import register_offer_filter
        from promotions.order_hooks import register_order_hook

        register_order_hook(
            "loyalty",
            on_place=order_hooks.on_place,
            on_cancel=order_hooks.on_cancel,
            place_fields=order_hooks.POINTS_ON_PLACE,
            cancel_fields=order_hooks.POINTS_ON_CANCEL,
        )
        register_order_return_step("loyalty", order_return_points_reverse, fields=order_hooks.POINTS_ON_RETURN)
        register_condition(
            "loyalty_tiers",
            check=eligibility.in_tiers,
            parse=string_set,
            message="This code is for {value} members only.",
            describe=eligibility.describe_tiers,
        )
        register_customer_facts_provider(eligibility.customer_tier_facts)
        register_offer_filter(concerns=offers.reward_programs, not_for=offers.rewards_not_for)
        register_loyalty_segment_fields()
        register_profile_provider(
            "loyalty",
            profile.member_summary,
            schema=profile.MEMBER_SUMMARY_FIELD,
            example=profile.MEMBER_SUMMARY_EXAMPLE,
        )
