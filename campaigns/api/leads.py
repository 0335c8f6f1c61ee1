"""The leads API (storefront or DMS key): POST/GET /leads, GET/PATCH /leads/{id}."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from audiences import selectors as audience_selectors
from campaigns.api import examples
from campaigns.api.serializers import money
from campaigns.leads import selectors, services
from campaigns.leads.models import Lead
from config.api.views import Paginated, StorefrontView, get_or_404, validated

ID_MAX = 2**63 - 1  # a database id: anything larger could not be one (and would overflow the query)


class LeadSourceOutput(serializers.Serializer):
    type = serializers.CharField(help_text="campaign, journey, or empty: no campaign or journey touched the customer.")
    campaign = serializers.IntegerField(allow_null=True)
    journey = serializers.CharField(allow_null=True, help_text="The journey's code.")
    message = serializers.IntegerField(allow_null=True)


class LeadOutput(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    customer = serializers.CharField(source="customer.external_id")
    source = serializers.SerializerMethodField()
    product = serializers.CharField(source="product.sku", allow_null=True, default=None)
    vehicle_vin = serializers.CharField()
    interest = serializers.CharField()
    store = serializers.CharField(source="store.code", allow_null=True, default=None)
    status = serializers.CharField()
    lost_reason = serializers.CharField()
    value = serializers.SerializerMethodField()
    currency = serializers.CharField()
    order = serializers.CharField(source="order.external_id", allow_null=True, default=None)
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    contacted_at = serializers.DateTimeField(allow_null=True)
    test_drive_at = serializers.DateTimeField(allow_null=True)
    won_at = serializers.DateTimeField(allow_null=True)
    lost_at = serializers.DateTimeField(allow_null=True)

    def get_source(self, lead) -> LeadSourceOutput:
        return {
            "type": lead.source,
            "campaign": lead.campaign_id,
            "journey": lead.journey.code if lead.journey_id else None,
            "message": lead.message_id,
        }

    def get_value(self, lead) -> str | None:
        return money(lead.value, lead.currency)


class LeadInput(serializers.Serializer):
    customer = serializers.CharField(max_length=64)
    external_id = serializers.CharField(
        max_length=64,
        required=False,
        help_text="Your own id: posting it again is answered with the lead first recorded (200).",
    )
    product = serializers.CharField(max_length=64, required=False, help_text="A catalog sku.")
    vehicle_vin = serializers.CharField(max_length=17, required=False, default="")
    interest = serializers.CharField(max_length=200, required=False, default="", help_text="A model, in free text.")
    store = serializers.CharField(max_length=64, required=False)
    value = serializers.DecimalField(max_digits=16, decimal_places=3, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, default="")
    note = serializers.CharField(max_length=2000, required=False, default="")
    campaign = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text="Else: the customer's last touch before the lead."
    )
    journey = serializers.CharField(max_length=64, required=False, help_text="A journey's code.")
    message = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text="The message (from a link) that brought the lead."
    )
    created_at = serializers.DateTimeField(required=False)


class LeadPatchInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Lead.Status.values, required=False)
    lost_reason = serializers.ChoiceField(choices=Lead.LostReason.values, required=False)
    value = serializers.DecimalField(max_digits=16, decimal_places=3, required=False, allow_null=True)
    order = serializers.CharField(
        max_length=64, required=False, allow_null=True, help_text="The order that closed the sale (its external_id)."
    )
    owner = serializers.CharField(max_length=150, required=False, allow_null=True, help_text="A staff username.")
    note = serializers.CharField(max_length=2000, required=False)
    at = serializers.DateTimeField(required=False, help_text="When the status was reached (default: now).")


def _known(found, value, what: str):
    """`found`, or when it is None a 400 naming the field and the value."""
    if found is None:
        raise serializers.ValidationError({what: [f"Unknown {what} '{value}'."]})
    return found


def _named(data: dict, what: str, lookup):
    return _known(lookup(data[what]), data[what], what) if data.get(what) is not None else None


def _lead_input(data: dict) -> services.LeadInput:
    customer = get_or_404(
        audience_selectors.customer_get, f"Unknown customer '{data['customer']}'.", external_id=data["customer"]
    )
    return services.LeadInput(
        customer=customer,
        product=_named(data, "product", lambda sku: audience_selectors.product_get(sku=sku)),
        store=_named(data, "store", lambda code: audience_selectors.store_get(code=code)),
        vehicle_vin=data["vehicle_vin"].strip().upper(),
        interest=data["interest"],
        value=data.get("value"),
        currency=data["currency"].upper(),
        note=data["note"],
        external_id=data.get("external_id"),
        campaign=_named(data, "campaign", lambda pk: selectors.campaign_by_id(campaign_id=pk)),
        journey=_named(data, "journey", lambda code: selectors.journey_by_code(code=code)),
        message=_named(data, "message", lambda pk: selectors.message_by_id(message_id=pk)),
        created_at=data.get("created_at"),
    )


LIST_FILTERS = {
    "status": ("status", None),
    "store": ("store__code", None),
    "campaign": ("campaign_id", int),
    "journey": ("journey__code", None),
    "customer": ("customer__external_id", None),
    "owner": ("owner__username", None),
}


def _lead_answer(lead_id: int, status_code=status.HTTP_200_OK) -> Response:
    lead = get_or_404(selectors.lead_get, f"Unknown lead {lead_id}.", lead_id=lead_id)
    return Response(LeadOutput(lead).data, status=status_code)


class LeadListView(Paginated, StorefrontView):
    @extend_schema(
        responses=LeadOutput(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=Lead.Status.values),
            OpenApiParameter("store", str, description="A store code."),
            OpenApiParameter("campaign", int, description="The source campaign's id."),
            OpenApiParameter("journey", str, description="The source journey's code."),
            OpenApiParameter("customer", str, description="The customer's external_id."),
            OpenApiParameter("owner", str, description="The owner's username."),
        ],
        examples=[OpenApiExample("A won lead", examples.LEAD_OUTPUT, response_only=True)],
        description="Leads, newest first, 50 a page; filter by status, store, campaign, journey, customer, owner.",
    )
    def get(self, request):
        filters = {}
        for name, (lookup, kind) in LIST_FILTERS.items():
            value = request.query_params.get(name)
            if not value:
                continue
            if name == "status" and value not in Lead.Status.values:
                raise serializers.ValidationError({name: [f"Use one of: {', '.join(Lead.Status.values)}."]})
            if kind is int and not (value.isdigit() and int(value) <= ID_MAX):
                raise serializers.ValidationError({name: ["A campaign id is a whole number."]})
            filters[lookup] = kind(value) if kind else value
        return self.paginated(request, selectors.lead_list(**filters), LeadOutput)

    @extend_schema(
        request=LeadInput,
        responses={200: LeadOutput, 201: LeadOutput},
        examples=[
            OpenApiExample("A test drive booked at the dealer", examples.LEAD_INPUT, request_only=True),
            OpenApiExample("The new lead, credited to the campaign", examples.LEAD_NEW_OUTPUT, response_only=True),
        ],
        description="Records a lead (201). Without campaign, journey or message its source is the customer's last "
        "touch before it, by the attribution rules. An external_id already recorded answers that lead (200).",
    )
    def post(self, request):
        lead, created = services.lead_create(lead=_lead_input(validated(LeadInput, request.data)))
        return _lead_answer(lead.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class LeadDetailView(StorefrontView):
    @extend_schema(
        responses=LeadOutput, examples=[OpenApiExample("A won lead", examples.LEAD_OUTPUT, response_only=True)]
    )
    def get(self, request, lead_id):
        return _lead_answer(lead_id)

    @extend_schema(
        request=LeadPatchInput,
        responses={
            200: LeadOutput,
            409: OpenApiResponse(description="Not a move the pipeline allows.", examples=[examples.LEAD_CONFLICT]),
        },
        examples=[
            OpenApiExample("Won, closed by an order", examples.LEAD_WON_INPUT, request_only=True),
            OpenApiExample("Lost on price", {"status": "lost", "lost_reason": "price"}, request_only=True),
            OpenApiExample("A won lead", examples.LEAD_OUTPUT, response_only=True),
        ],
        description="Moves the lead along new → contacted → test_drive → won | lost (forward only, steps may be "
        "skipped; won and lost are final: else 409 `invalid_transition`). Lost needs `lost_reason`, won a "
        "`value` (given now or before).",
    )
    def patch(self, request, lead_id):
        get_or_404(selectors.lead_get, f"Unknown lead {lead_id}.", lead_id=lead_id)
        data = validated(LeadPatchInput, request.data)
        changes = {key: data[key] for key in ("status", "lost_reason", "value", "note", "at") if key in data}
        if "order" in data:
            order_named = audience_selectors.order_by_external_id
            changes["order"] = _named(data, "order", lambda external_id: order_named(external_id=external_id))
        if "owner" in data:
            changes["owner"] = _named(data, "owner", lambda username: selectors.staff_user(username=username))
        services.lead_update(lead_id=lead_id, **changes)
        return _lead_answer(lead_id)
