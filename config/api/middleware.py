"""Refuse API URLs that carry a NUL character (`/customers/A%00B`, `?status=%00`) before any view or query sees them.

PostgreSQL cannot compare text with NUL in it, so such an id or filter reached the database as a 500.
"""

from django.http import JsonResponse


class RefuseNulInApiUrls:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and _has_nul(request):
            return JsonResponse(
                {"code": "invalid", "message": "The URL may not contain the NUL character (%00)."}, status=400
            )
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())
