from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self):
        from messaging import receivers  # noqa: F401  (connects the signal receivers)
        from messaging.data_subjects import register_messaging_data_sections

        register_messaging_data_sections()
        from messaging.context import recommended_products, register_context_provider

        register_context_provider("recommendations", recommended_products, only_when_named=True)
