from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    name = "audiences"
    verbose_name = "Audiences"

    def ready(self):
        from audiences.api.serializers import SEGMENTS_FIELD, VEHICLES_FIELD
        from audiences.api.vehicle_examples import VEHICLE_EXAMPLE
        from audiences.clv.segment_fields import register_prediction_fields
        from audiences.places.segment_fields import register_place_fields
        from audiences.pricing_inputs import connect_model_writes
        from audiences.profile import register_profile_provider
        from audiences.segments.selectors import customer_segment_codes
        from audiences.vehicles.profile import vehicles_profile
        from audiences.vehicles.segment_fields import register_vehicle_fields

        register_profile_provider(
            "segments", customer_segment_codes, schema=SEGMENTS_FIELD, example=["high_value", "vip_dhaka"]
        )
        register_profile_provider("vehicles", vehicles_profile, schema=VEHICLES_FIELD, example=[VEHICLE_EXAMPLE])
        register_vehicle_fields()
        register_place_fields()
        register_prediction_fields()
        connect_model_writes()
        _register_data_subject_sections()


def _register_data_subject_sections() -> None:
    from audiences.data_subjects.export import EXPORT_KEY, customer_data, customer_data_size
    from audiences.data_subjects.sections import register_audiences_data_sections
    from audiences.models import Customer
    from config.exports import payload_export, register_export

    register_audiences_data_sections()
    register_export(
        payload_export(
            key=EXPORT_KEY, title="Customer data", permission="audiences.view_datasubjectrequest", model=Customer,
            build=customer_data, size=customer_data_size,
        )
    )  # fmt: skip
