from django.urls import include, path

urlpatterns = [
    path("", include("audiences.api.urls")),
    path("", include("promotions.api.urls")),
    path("", include("loyalty.api.urls")),
    path("", include("messaging.api.urls")),
    path("", include("campaigns.api.urls")),
]
