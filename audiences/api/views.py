from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from audiences import selectors, services
from audiences.api import serializers as s
from audiences.models import Customer
from config.api.views import StorefrontView, get_or_404, validated

STORE_OUTPUT_EXAMPLE = {
    "code": "DHK-01",
    "name": "Gulshan",
    "timezone": "Asia/Dhaka",
    "currency": "BDT",
    "city": "Dhaka",
}
CATEGORY_OUTPUT_EXAMPLE = {"code": "tv", "name": "Televisions", "parent": "electronics", "path": "/electronics/tv/"}
PRODUCT_OUTPUT_EXAMPLE = {
    "sku": "TV-55",
    "name": "55in TV",
    "category": "tv",
    "brand": "Walton",
    "price": "54000.00",
    "currency": "BDT",
    "in_stock": True,
}
CUSTOMER_OUTPUT_EXAMPLE = {
    "external_id": "C-1001",
    "email": "rahim@example.com",
    "phone": "+8801712345678",
    "first_name": "Rahim",
    "last_name": "Uddin",
    "birth_date": "1990-04-02",
    "language": "bn",
    "timezone": "Asia/Dhaka",
    "store": "DHK-01",
    "city": "Dhaka",
    "signed_up_at": "2025-03-14T05:20:00Z",
    "attributes": {"car_year": 2017},
    "orders_count": 7,
    "currency": "BDT",
    "total_spent": "412350.00",
    "first_order_at": "2025-03-20T08:12:00Z",
    "last_order_at": "2026-11-22T04:00:00Z",
    "segments": ["high_value", "vip_dhaka"],
    "loyalty": None,
    "consents": [
        {
            "channel": "email",
            "topic": "marketing",
            "status": "opted_in",
            "source": "storefront",
            "recorded_at": "2025-03-14T05:20:00Z",
        },
        {
            "channel": "sms",
            "topic": "marketing",
            "status": "opted_in",
            "source": "pos",
            "recorded_at": "2026-11-20T09:04:00Z",
        },
    ],
}
EVENT_BATCH_EXAMPLE = {
    "events": [
        {
            "customer": "C-1001",
            "type": "product_viewed",
            "occurred_at": "2026-11-22T09:41:00+06:00",
            "properties": {"sku": "TV-55"},
            "idempotency_key": "web-8f3a-1",
        },
        {
            "customer": "C-1001",
            "type": "cart_updated",
            "occurred_at": "2026-11-22T09:45:00+06:00",
            "properties": {"skus": ["TV-55"], "value": "54000.00", "currency": "BDT"},
            "idempotency_key": "web-8f3a-2",
        },
    ]
}
EVENT_BATCH_OUTPUT_EXAMPLE = {
    "recorded": 1,
    "duplicates": 1,
    "events": [
        {
            "id": 90211,
            "customer": "C-1001",
            "type": "product_viewed",
            "occurred_at": "2026-11-22T03:41:00Z",
            "properties": {"sku": "TV-55"},
            "idempotency_key": "web-8f3a-1",
        },
        {
            "id": 90245,
            "customer": "C-1001",
            "type": "cart_updated",
            "occurred_at": "2026-11-22T03:45:00Z",
            "properties": {"skus": ["TV-55"], "value": "54000.00", "currency": "BDT"},
            "idempotency_key": "web-8f3a-2",
        },
    ],
}


def _upserted(output, created: bool) -> Response:
    return Response(output, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _customer_or_404(external_id: str) -> Customer:
    return get_or_404(selectors.customer_get, f"Unknown customer '{external_id}'.", external_id=external_id)


class StoreView(StorefrontView):
    @extend_schema(
        request=s.StoreInput,
        responses={200: s.StoreOutput, 201: s.StoreOutput},
        examples=[
            OpenApiExample(
                "Dhaka store", {"name": "Gulshan", "timezone": "Asia/Dhaka", "currency": "BDT"}, request_only=True
            )
        ],
    )
    def put(self, request, code):
        data = validated(s.StoreInput, request.data)
        store, created = services.store_upsert(code=code, **data)
        return _upserted(s.StoreOutput(store).data, created)

    @extend_schema(
        responses=s.StoreOutput,
        examples=[OpenApiExample("Dhaka store", STORE_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, code):
        store = get_or_404(selectors.store_get, f"Unknown store '{code}'.", code=code)
        return Response(s.StoreOutput(store).data)


class CategoryView(StorefrontView):
    @extend_schema(
        request=s.CategoryInput,
        responses={200: s.CategoryOutput, 201: s.CategoryOutput},
        examples=[
            OpenApiExample(
                "Televisions under electronics", {"name": "Televisions", "parent": "electronics"}, request_only=True
            ),
            OpenApiExample("Televisions under electronics", CATEGORY_OUTPUT_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request, code):
        data = validated(s.CategoryInput, request.data)
        category, created = services.category_upsert(code=code, name=data["name"], parent_code=data["parent"])
        return _upserted(s.CategoryOutput(category).data, created)

    @extend_schema(
        responses=s.CategoryOutput,
        examples=[OpenApiExample("Televisions", CATEGORY_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, code):
        category = get_or_404(selectors.category_get, f"Unknown category '{code}'.", code=code)
        return Response(s.CategoryOutput(category).data)


class ProductView(StorefrontView):
    @extend_schema(
        request=s.ProductInput,
        responses={200: s.ProductOutput, 201: s.ProductOutput},
        examples=[
            OpenApiExample(
                "A TV",
                {"name": "55in TV", "category": "tv", "price": "54000.00", "currency": "BDT", "brand": "Walton"},
                request_only=True,
            )
        ],
    )
    def put(self, request, sku):
        data = validated(s.ProductInput, request.data)
        product, created = services.product_upsert(sku=sku, category_code=data.pop("category"), **data)
        return _upserted(s.ProductOutput(product).data, created)

    @extend_schema(
        responses=s.ProductOutput,
        examples=[OpenApiExample("A TV", PRODUCT_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku):
        product = get_or_404(selectors.product_get, f"Unknown product '{sku}'.", sku=sku)
        return Response(s.ProductOutput(product).data)


def customer_output(customer: Customer) -> dict:
    extensions = selectors.customer_profile_extensions(customer=customer)
    consents = selectors.customer_consents(customer=customer)
    return {
        **s.CustomerBaseOutput(customer).data,
        "segments": extensions.pop("segments"),
        "loyalty": extensions.pop("loyalty"),
        "consents": s.ConsentOutput(consents, many=True).data,
        **extensions,
    }


class CustomerView(StorefrontView):
    @extend_schema(
        request=s.CustomerInput,
        responses={200: s.CustomerOutput, 201: s.CustomerOutput},
        examples=[
            OpenApiExample(
                "Customer in Dhaka",
                {
                    "email": "rahim@example.com",
                    "phone": "01712345678",
                    "first_name": "Rahim",
                    "language": "bn",
                    "store": "DHK-01",
                    "city": "Dhaka",
                    "attributes": {"car_year": 2017},
                },
                request_only=True,
            )
        ],
    )
    def put(self, request, external_id):
        data = validated(s.CustomerInput, request.data)
        customer, created = services.customer_upsert(external_id=external_id, **data)
        customer = selectors.customer_get(external_id=customer.external_id)
        return _upserted(customer_output(customer), created)

    @extend_schema(
        responses=s.CustomerOutput,
        examples=[OpenApiExample("Customer in Dhaka", CUSTOMER_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, external_id):
        return Response(customer_output(_customer_or_404(external_id)))


class CustomerConsentsView(StorefrontView):
    @extend_schema(
        request=s.ConsentInput,
        responses={201: s.CustomerOutput},
        examples=[
            OpenApiExample(
                "SMS opt-in at the till",
                {
                    "channel": "sms",
                    "topic": "marketing",
                    "status": "opted_in",
                    "source": "pos",
                    "recorded_at": "2026-11-20T15:04:00+06:00",
                },
                request_only=True,
            ),
            OpenApiExample("The customer with the new consent", CUSTOMER_OUTPUT_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, external_id):
        customer = _customer_or_404(external_id)
        data = validated(s.ConsentInput, request.data)
        services.consent_record(customer=customer, **data)
        return Response(customer_output(customer), status=status.HTTP_201_CREATED)


def _event_inputs(items: list[dict], *, single: bool) -> list[services.EventInput]:
    external_ids = {item["customer"] for item in items}
    customers = {c.external_id: c for c in Customer.objects.filter(external_id__in=external_ids)}
    missing = {index: item["customer"] for index, item in enumerate(items) if item["customer"] not in customers}
    if missing and single:
        raise Http404(f"Unknown customer '{items[0]['customer']}'.")
    if missing:
        raise serializers.ValidationError(
            {"events": {str(index): {"customer": [f"Unknown customer '{ext}'."]} for index, ext in missing.items()}}
        )
    return [services.EventInput(**{**item, "customer": customers[item["customer"]]}) for item in items]


class EventView(StorefrontView):
    @extend_schema(
        request=s.EventInput,
        responses={200: s.EventOutput, 201: s.EventOutput},
        examples=[
            OpenApiExample(
                "A complaint",
                {"customer": "C-1001", "type": "complaint_opened", "properties": {"ref": 7}},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = validated(s.EventInput, request.data)
        [(event, created)] = services.events_record(events=_event_inputs([data], single=True))
        return _upserted(s.EventOutput(event).data, created)


class EventBatchView(StorefrontView):
    @extend_schema(
        request=s.EventBatchInput,
        responses={201: s.EventBatchOutput},
        examples=[
            OpenApiExample("Two web events", EVENT_BATCH_EXAMPLE, request_only=True),
            OpenApiExample("The first one was already recorded", EVENT_BATCH_OUTPUT_EXAMPLE, response_only=True),
        ],
        description="Records up to 1,000 events in one transaction. An event whose `idempotency_key` was already "
        "recorded counts as a duplicate and comes back as it was first recorded.",
    )
    def post(self, request):
        data = validated(s.EventBatchInput, request.data)
        results = services.events_record(events=_event_inputs(data["events"], single=False))
        output = s.EventBatchOutput(
            {
                "recorded": sum(created for _, created in results),
                "duplicates": sum(not created for _, created in results),
                "events": [event for event, _ in results],
            }
        )
        return Response(output.data, status=status.HTTP_201_CREATED)
