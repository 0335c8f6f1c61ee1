from django.urls import path

from promotions.api import offers, orders, views

urlpatterns = [
    path("carts/evaluate", views.CartEvaluateView.as_view(), name="carts-evaluate"),
    path("customers/<str:external_id>/offers", offers.CustomerOffersView.as_view(), name="customer-offers"),
    path("coupons/validate", views.CouponValidateView.as_view(), name="coupons-validate"),
    path("orders", orders.OrderCreateView.as_view(), name="orders-create"),
    path("orders/<str:external_id>", orders.OrderDetailView.as_view(), name="order"),
    path("orders/<str:external_id>/cancel", orders.OrderCancelView.as_view(), name="orders-cancel"),
    path("promotions", views.PromotionListView.as_view(), name="promotions"),
    path("promotions/code-jobs/<int:job_id>", views.CodeJobView.as_view(), name="promotion-code-job"),
    path("promotions/<int:promotion_id>", views.PromotionDetailView.as_view(), name="promotion"),
    path("promotions/<int:promotion_id>/codes", views.PromotionCodesView.as_view(), name="promotion-codes"),
    path("promotions/<int:promotion_id>/codes.csv", views.PromotionCodesExportView.as_view(), name="codes-csv"),
]
