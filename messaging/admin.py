"""The campaign manager's messaging screens: templates with preview and test send, the outbox,
suppressions and provider events. Thin: forms validate, actions and saves call services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from import_export.admin import ExportMixin

from audiences.customer_page import CustomerSection, changelist_of_customer, register_customer_section
from audiences.models import Customer
from config.admin_navigation import place_in_section
from config.admin_safety import KeptForTheRecord
from messaging import (
    dashboard,  # noqa: F401  (registers its panels on the Reports page)
    exports,  # noqa: F401  (registers its background exports)
    previews,
)
from messaging.context import SAMPLE_CONTEXT_HELP
from messaging.models import Channel, Message, SenderAddress, Suppression, Template, TemplateTranslation, TrackingEvent
from messaging.rendering import translation_errors
from messaging.resources import MessageResource
from messaging.selectors import customer_messages
from messaging.services.suppression import suppression_add, suppression_remove
from messaging.sms_segments import sms_info

register_customer_section(
    CustomerSection(
        "messages",
        "Messages",
        "admin/messaging/customer_section.html",
        lambda customer: {
            "messages": list(customer_messages(customer=customer)[:10]),
            "all_url": changelist_of_customer("admin:messaging_message_changelist", customer),
        },
        position=60,
        permission="messaging.view_message",
    )
)
place_in_section(
    "messages",
    "messaging.template",
    "messaging.message",
    "messaging.suppression",
    "messaging.trackingevent",
    "messaging.senderaddress",
)


class TranslationForm(forms.ModelForm):
    class Meta:
        model = TemplateTranslation
        fields = ["language", "subject", "preheader", "html", "text", "body"]
        widgets = {
            "html": forms.Textarea(attrs={"rows": 8, "cols": 80}),
            "text": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "body": forms.Textarea(attrs={"rows": 4, "cols": 80, "class": "sms-body"}),
        }

    def clean(self):
        cleaned = super().clean()
        for field, problem in translation_errors(cleaned).items():
            self.add_error(field, problem)
        return cleaned


# The fields of a translation each channel uses; a new template shows them all until it is saved with its channel
# (messaging/channel_fields.js hides the others as the channel is chosen).
CHANNEL_FIELDS = {
    Channel.EMAIL: ["language", "subject", "preheader", "html", "text"],
    Channel.SMS: ["language", "body"],
    Channel.WHATSAPP: ["language", "body"],
    Channel.IN_APP: ["language", "subject", "body"],
}


class TranslationInline(admin.StackedInline):
    model = TemplateTranslation
    form = TranslationForm
    extra = 0
    min_num = 1

    class Media:
        js = ["messaging/sms_counter.js", "messaging/channel_fields.js"]

    def get_fields(self, request, obj=None):
        return CHANNEL_FIELDS[obj.channel] if obj else TranslationForm.Meta.fields


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "channel", "kind", "topic", "languages", "timing", "updated_at"]
    list_filter = ["channel", "kind", "topic"]
    search_fields = ["code", "name"]
    inlines = [TranslationInline]
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["offer_product"]
    fieldsets = [
        (None, {"fields": ["code", "name", "channel", "kind", "topic"]}),
        ("Personalisation", {"fields": [], "description": f"Django template syntax over: {SAMPLE_CONTEXT_HELP}."}),
        (
            "Offer",
            {
                "fields": ["offer_product"],
                "description": "The product the message offers, if any: a message whose product is out of stock at "
                "the customer's store when it is sent is skipped, with the reason out_of_stock (see the message "
                "list and the campaign's results).",
            },
        ),
        (
            "Timing",
            {
                "fields": [("send_window_start", "send_window_end"), ("send_after", "send_within_hours")],
                "description": "Defaults that come with the message. Outside its send window (the customer's local "
                "time) a marketing message waits for the window's next start; journeys send it within the given "
                "hours of its trigger.",
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    change_form_template = "admin/messaging/template/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations")

    @admin.display(description="Timing")
    def timing(self, template) -> str:
        parts = []
        if template.send_window_start:
            parts.append(f"{template.send_window_start:%H:%M}-{template.send_window_end:%H:%M}")
        if template.send_after:
            within = f" within {template.send_within_hours} h" if template.send_within_hours else ""
            parts.append(f"after {template.get_send_after_display().lower()}{within}")
        return ", ".join(parts) or "-"

    @admin.display(description="Languages")
    def languages(self, template) -> str:
        return ", ".join(t.language for t in template.translations.all())

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<int:template_id>/preview/", preview, name="messaging_template_preview"), *super().get_urls()]

    def preview_view(self, request, template_id: int):
        """The template rendered for a sample customer; POST sends it to yourself (needs the change permission)."""
        template = get_object_or_404(Template, pk=template_id)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        may_send = self.has_change_permission(request, template)
        if request.method == "POST" and not may_send:
            raise PermissionDenied
        wanted = request.GET.get("customer") or request.POST.get("customer", "")
        customer = Customer.objects.filter(external_id=wanted).first() if wanted else Customer.objects.first()
        language = request.GET.get("language") or request.POST.get("language", "")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "title": f"Preview: {template.name}",
            "customer": customer,
            "wanted": wanted,
            "languages": [t.language for t in template.translations.all()],
            "may_send": may_send,
            "recipients": previews.allowed_test_recipients(channel=template.channel, user_email=request.user.email),
        }
        if customer is None:
            messages.warning(
                request, f"No customer '{wanted}'." if wanted else "There are no customers to preview with."
            )
            return TemplateResponse(request, "admin/messaging/template/preview.html", context)
        if request.method == "POST":
            to = request.POST.get("to", "").strip()
            try:
                previews.template_test_send(
                    template=template, customer=customer, language=language, to=to, user_email=request.user.email
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Test message sent to {to}.")
            url = reverse("admin:messaging_template_preview", args=[template.pk])
            return redirect(f"{url}?{urlencode({'customer': customer.external_id, 'language': language})}")
        try:
            preview = previews.template_preview(template=template, customer=customer, language=language)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return TemplateResponse(request, "admin/messaging/template/preview.html", context)
        context["preview"] = preview
        if template.channel in ("sms", "whatsapp"):
            context["sms"] = sms_info(preview.rendered.body)
        return TemplateResponse(request, "admin/messaging/template/preview.html", context)


@admin.register(Message)
class MessageAdmin(KeptForTheRecord, ExportMixin, admin.ModelAdmin):
    resource_classes = [MessageResource]
    list_display = ["id", "customer", "channel", "template", "status", "reason", "scheduled_for", "sent_at"]
    list_filter = ["status", "channel", "kind", "reason"]
    search_fields = ["customer__external_id", "idempotency_key", "address"]
    date_hierarchy = "created_at"
    list_select_related = ["customer", "template"]
    show_full_result_count = False  # the outbox is large; counting it all on every page is slow

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SenderAddress)
class SenderAddressAdmin(admin.ModelAdmin):
    """The postal address every marketing email prints (CAN-SPAM); without one they are not sent."""

    list_display = ["__str__", "store", "updated_at"]
    list_select_related = ["store"]
    search_fields = ["postal_address", "store__code", "store__name"]


class SuppressionForm(forms.ModelForm):
    class Meta:
        model = Suppression
        fields = ["channel", "address", "reason", "source"]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    form = SuppressionForm
    list_display = ["address", "channel", "reason", "source", "created_at"]
    list_filter = ["channel", "reason"]
    search_fields = ["address"]

    def save_model(self, request, obj, form, change):
        saved = suppression_add(
            channel=obj.channel, address=obj.address, reason=obj.reason, source=obj.source or f"admin:{request.user}"
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        suppression_remove(channel=obj.channel, address=obj.address)

    def delete_queryset(self, request, queryset):
        for suppression in queryset:
            suppression_remove(channel=suppression.channel, address=suppression.address)


@admin.register(TrackingEvent)
class TrackingEventAdmin(KeptForTheRecord, admin.ModelAdmin):
    list_display = ["occurred_at", "provider", "event_type", "recipient", "message"]
    list_filter = ["provider", "event_type"]
    search_fields = ["recipient", "event_id"]
    list_select_related = ["message"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in TrackingEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
