from django.urls import include, path

from config.api.root import ApiRootView

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("audiences.api.urls")),
    path("", include("promotions.api.urls")),
    path("", include("loyalty.api.urls")),
    path("", include("messaging.api.urls")),
    path("", include("campaigns.api.urls")),
]
