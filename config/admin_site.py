from django.contrib import admin

# The marketer's apps first, in the order of the work; the plumbing after them.
APP_ORDER = ["promotions", "campaigns", "audiences", "messaging", "loyalty"]


class EngineAdminSite(admin.AdminSite):
    site_header = "Promotions engine"
    site_title = "Promotions engine"
    index_title = "Campaign manager"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        rank = {label: position for position, label in enumerate(APP_ORDER)}
        return sorted(apps, key=lambda app: (rank.get(app["app_label"], len(APP_ORDER)), app["name"]))
