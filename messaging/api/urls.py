from django.urls import path

from messaging.api import views

urlpatterns = [
    path("sms/segments", views.SmsSegmentsView.as_view(), name="sms-segments"),
    path("templates", views.TemplateListView.as_view(), name="templates"),
    path("templates/<slug:code>", views.TemplateDetailView.as_view(), name="template"),
    path("customers/<str:external_id>/messages", views.CustomerMessagesView.as_view(), name="customer-messages"),
    path(
        "customers/<str:external_id>/notifications",
        views.CustomerNotificationsView.as_view(),
        name="customer-notifications",
    ),
    path("notifications/<int:message_id>/read", views.NotificationReadView.as_view(), name="notification-read"),
]
