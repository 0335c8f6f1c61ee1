"""The admin's import of a communications log: the same choices as `import_csv communications`
(the currency of the amounts, the country of national phone numbers) and the same all-or-nothing rule."""

import csv

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from audiences.communications import communications_log_rows, region_error
from audiences.currencies import CURRENCY_CHOICES
from audiences.log_import import communications_log_import

MAX_LOG_BYTES = 50 * 1024 * 1024


class CommunicationsLogForm(forms.Form):
    file = forms.FileField(help_text="CSV with the columns phone, date, message, amount and optionally name.")
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, help_text="The currency of the log's amounts.")
    region = forms.CharField(
        max_length=2, help_text="The country of national phone numbers such as 0755... (TZ, BD, ...)."
    )
    skip_bad_rows = forms.BooleanField(required=False, help_text="Import the good rows and list the bad ones.")

    def clean_region(self):
        region = self.cleaned_data["region"].strip().upper()
        if error := region_error(region):
            raise forms.ValidationError(error)
        return region

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_LOG_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_LOG_BYTES // (1024 * 1024)} MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


def communications_import_view(model_admin, request):
    initial = {"currency": settings.DEFAULT_CURRENCY, "region": settings.DEFAULT_PHONE_REGION}
    form = CommunicationsLogForm(request.POST or None, request.FILES or None, initial=initial)
    rejected: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        currency, region = form.cleaned_data["currency"], form.cleaned_data["region"]
        rows, rejected = communications_log_rows(
            csv.DictReader(form.cleaned_data["file"].splitlines()), currency=currency, region=region
        )
        if not rejected or form.cleaned_data["skip_bad_rows"]:
            try:
                result = communications_log_import(rows=rows, currency=currency)
            except ValidationError as exc:  # the log as a whole cannot be imported: nothing was written
                for problems in exc.message_dict.values():
                    for problem in problems:
                        form.add_error(None, f"Nothing imported: {problem}")
                return _page(model_admin, request, form, rejected)
            model_admin.message_user(
                request,
                f"Imported the log (amounts in {currency}, national phone numbers in region {region}): "
                f"{result.customers_created:,} new customer(s), {result.messages:,} message(s), "
                f"{result.complaints:,} complaint(s), {result.purchases:,} purchase(s); "
                f"{result.duplicates:,} already imported, {len(rejected)} rejected.",
                messages.SUCCESS,
            )
            return redirect("admin:audiences_event_changelist")
        form.add_error(None, f"{len(rejected)} bad row(s): nothing imported (tick 'skip bad rows' to import the rest).")
    return _page(model_admin, request, form, rejected)


def _page(model_admin, request, form, rejected):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import a communications log",
        "form": form,
        "rejected": rejected,
    }
    return TemplateResponse(request, "admin/audiences/communications_import.html", context)
