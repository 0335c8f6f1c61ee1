from django.urls import path

from messaging.api import views

urlpatterns = [
    path("sms/segments", views.SmsSegmentsView.as_view(), name="sms-segments"),
]
