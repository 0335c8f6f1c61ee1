"""A promotion's codes as a streamed CSV, `code,usage_limit,used` per line (the API's and the admin's export)."""

import csv

from django.http import StreamingHttpResponse

from config.spreadsheets import neutralise
from promotions import selectors
from promotions.models import Promotion


class _Echo:
    def write(self, value):
        return value


def codes_csv_response(promotion: Promotion, *, filename: str, unique_only: bool = False) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = selectors.promotion_codes_iter(promotion=promotion, unique_only=unique_only)

    def stream():
        yield writer.writerow(["code", "usage_limit", "used"])
        for code, usage_limit, used in rows:
            yield writer.writerow([neutralise(code), "" if usage_limit is None else usage_limit, used])

    response = StreamingHttpResponse(stream(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
