from django.urls import path

from audiences.api import data_subjects, segments, stock, vehicles, views

urlpatterns = [
    path("stores/<str:code>", views.StoreView.as_view(), name="store"),
    path("categories/<str:code>", views.CategoryView.as_view(), name="category"),
    path("products/<str:sku>", views.ProductView.as_view(), name="product"),
    path("products/<str:sku>/stock", stock.ProductStockView.as_view(), name="product-stock"),
    path("stock", stock.StockBatchView.as_view(), name="stock-batch"),
    path("customers/<str:external_id>", views.CustomerView.as_view(), name="customer"),
    path("customers/<str:external_id>/export", data_subjects.CustomerExportView.as_view(), name="customer-export"),
    path("customers/<str:external_id>/erase", data_subjects.CustomerEraseView.as_view(), name="customer-erase"),
    path(
        "customers/<str:external_id>/recommendations",
        views.CustomerRecommendationsView.as_view(),
        name="customer-recommendations",
    ),
    path("customers/<str:external_id>/consents", views.CustomerConsentsView.as_view(), name="customer-consents"),
    path("orders/<str:external_id>/returns", views.OrderReturnView.as_view(), name="order-returns"),
    path("vehicles/<str:vin>", vehicles.VehicleView.as_view(), name="vehicle"),
    path("events", views.EventView.as_view(), name="events"),
    path("events/batch", views.EventBatchView.as_view(), name="events-batch"),
    path("segments", segments.SegmentsView.as_view(), name="segments"),
    path("segments/preview", segments.SegmentPreviewView.as_view(), name="segment-preview"),
    path("segments/<slug:code>", segments.SegmentView.as_view(), name="segment"),
    path("segments/<slug:code>/members", segments.SegmentMembersView.as_view(), name="segment-members"),
    path("segments/<slug:code>/refresh", segments.SegmentRefreshView.as_view(), name="segment-refresh"),
]
