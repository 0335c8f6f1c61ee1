"""`/`: where the admin's "View site" link lands, pointing a newcomer to the admin, the API and its docs."""

from django.shortcuts import render


def landing(request):
    return render(request, "landing.html")
