from django.urls import path

from campaigns.api import journeys, leads, views

urlpatterns = [
    path("campaigns", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/<int:campaign_id>", views.CampaignDetailView.as_view(), name="campaign"),
    path("leads", leads.LeadListView.as_view(), name="leads"),
    path("leads/<int:lead_id>", leads.LeadDetailView.as_view(), name="lead"),
    path("journeys", journeys.JourneyListView.as_view(), name="journeys"),
    path("journeys/<slug:code>", journeys.JourneyDetailView.as_view(), name="journey"),
    path("journeys/<slug:code>/simulate", journeys.JourneySimulateView.as_view(), name="journey-simulate"),
    path("campaigns/<int:campaign_id>/results", views.CampaignResultsView.as_view(), name="campaign-results"),
    path(
        "campaigns/<int:campaign_id>/results.csv", views.CampaignResultsCsvView.as_view(), name="campaign-results-csv"
    ),
    *(
        path(f"campaigns/<int:campaign_id>/{action}", views.action_view(action), name=f"campaign-{action}")
        for action in views.ACTIONS
    ),
]
