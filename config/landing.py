"""`/`: where the admin's "View site" link lands, pointing a newcomer to the admin, the API and its docs."""

from django.shortcuts import redirect, render
from django.templatetags.static import static


def landing(request):
    return render(request, "landing.html")


def favicon(request):
    """Browsers ask every site for /favicon.ico; answer with the icon rather than a 404 in their console."""
    return redirect(static("favicon.svg"), permanent=True)
