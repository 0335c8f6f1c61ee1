"""Refuse requests that carry a NUL character in their URL or form fields before any view or query sees them.

PostgreSQL cannot compare text with NUL in it, so such an id, filter or admin form field (`/customers/A%00B`,
`?status=%00`, the admin preview's `customer`) reached the database as a 500. The API answers in its error
shape; other pages get a plain 400.
"""

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "The request may not contain the NUL character (%00)."


class RefuseNulCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid", "message": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE)
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    form = request.POST.lists() if _reads_form(request) else []
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for fields in (request.GET.lists(), form)
        for key, values in fields
    )


def _reads_form(request) -> bool:
    # Multipart bodies are read here only for the admin's forms: a webhook may want its raw body afterwards.
    return request.content_type == "application/x-www-form-urlencoded" or (
        request.content_type == "multipart/form-data" and request.path.startswith("/admin/")
    )
