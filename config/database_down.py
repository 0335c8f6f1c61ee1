"""While the database is down or restarting, a page or API call answers 503 saying so, not a 500.

DRF views answer through the API's exception handler (`config.api.errors`); this middleware covers the rest: the
admin, the preference centre, and API paths served without DRF.
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from config.api.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, logger

PAGE = (
    "<!doctype html><title>Back in a moment</title><h1>Back in a moment</h1>"
    "<p>The database is not answering just now; nothing was saved. Reload the page in a few seconds.</p>"
)


class DatabaseUnavailable:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("The database did not answer: %s", exception)
        if request.path.startswith("/api/"):
            response = JsonResponse(DATABASE_UNAVAILABLE, status=503)
        else:
            response = HttpResponse(PAGE, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
