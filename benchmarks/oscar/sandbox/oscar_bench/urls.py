from django.urls import path

from oscar_bench import views

urlpatterns = [path("healthz", views.healthz), path("basket/price", views.price_basket)]
