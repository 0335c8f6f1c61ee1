from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("c/<str:token>", views.click, name="click"),
    path("confirm/<str:token>", views.confirm_email, name="confirm-email"),
    path("webhooks/sms/inbound", views.inbound_sms, name="inbound-sms"),
]
