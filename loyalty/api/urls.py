from django.urls import path

from loyalty.api import views

urlpatterns = [
    path("loyalty/members/<str:customer>", views.MemberView.as_view(), name="loyalty-member"),
    path("loyalty/members/<str:customer>/redemptions", views.RedemptionView.as_view(), name="loyalty-redemptions"),
    path("loyalty/members/<str:customer>/reservations", views.ReservationView.as_view(), name="loyalty-reservations"),
    path(
        "loyalty/members/<str:customer>/reservations/<str:order>",
        views.ReservationReleaseView.as_view(),
        name="loyalty-reservation",
    ),
    path("loyalty/members/<str:customer>/referral", views.ReferralCodeView.as_view(), name="loyalty-referral"),
    path("loyalty/rewards", views.RewardListView.as_view(), name="loyalty-rewards"),
]
