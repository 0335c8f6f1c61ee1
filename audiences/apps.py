from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    name = "audiences"
    verbose_name = "Audiences"

    def ready(self):
        from audiences.api.serializers import SEGMENTS_FIELD
        from audiences.pricing_inputs import connect_model_writes
        from audiences.profile import register_profile_provider
        from audiences.segments.selectors import customer_segment_codes

        register_profile_provider(
            "segments", customer_segment_codes, schema=SEGMENTS_FIELD, example=["high_value", "vip_dhaka"]
        )
        connect_model_writes()
