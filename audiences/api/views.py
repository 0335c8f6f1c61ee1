from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from audiences import selectors
from audiences.api import examples
from audiences.api import serializers as s
from audiences.currencies import quantize
from audiences.models import Customer
from audiences.recommendations import selectors as recommendation_selectors
from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from audiences.services.consent import consent_record
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record
from audiences.services.returns import ReturnLineInput, order_lines_return
from config.api.views import StorefrontView, get_or_404, validated


def _upserted(output, created: bool) -> Response:
    return Response(output, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _customer_or_404(external_id: str) -> Customer:
    return get_or_404(selectors.customer_get, f"Unknown customer '{external_id}'.", external_id=external_id)


class StoreView(StorefrontView):
    @extend_schema(
        request=s.StoreInput,
        responses={200: s.StoreOutput, 201: s.StoreOutput},
        examples=[OpenApiExample("Dhaka store", examples.STORE_INPUT_EXAMPLE, request_only=True)],
    )
    def put(self, request, code):
        data = validated(s.StoreInput, request.data)
        if "latitude" in data or "longitude" in data:
            data["coordinates"] = (data.pop("latitude", None), data.pop("longitude", None))
        store, created = store_upsert(code=code, **data)
        return _upserted(s.StoreOutput(store).data, created)

    @extend_schema(
        responses=s.StoreOutput,
        examples=[OpenApiExample("Dhaka store", examples.STORE_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, code):
        store = get_or_404(selectors.store_get, f"Unknown store '{code}'.", code=code)
        return Response(s.StoreOutput(store).data)


class CategoryView(StorefrontView):
    @extend_schema(
        request=s.CategoryInput,
        responses={200: s.CategoryOutput, 201: s.CategoryOutput},
        examples=[
            OpenApiExample("Televisions under electronics", examples.CATEGORY_INPUT_EXAMPLE, request_only=True),
            OpenApiExample("Televisions under electronics", examples.CATEGORY_OUTPUT_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request, code):
        data = validated(s.CategoryInput, request.data)
        category, created = category_upsert(code=code, name=data["name"], parent_code=data["parent"])
        return _upserted(s.CategoryOutput(category).data, created)

    @extend_schema(
        responses=s.CategoryOutput,
        examples=[OpenApiExample("Televisions", examples.CATEGORY_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, code):
        category = get_or_404(selectors.category_get, f"Unknown category '{code}'.", code=code)
        return Response(s.CategoryOutput(category).data)


class ProductView(StorefrontView):
    @extend_schema(
        request=s.ProductInput,
        responses={200: s.ProductOutput, 201: s.ProductOutput},
        examples=[OpenApiExample("A TV", examples.PRODUCT_INPUT_EXAMPLE, request_only=True)],
    )
    def put(self, request, sku):
        data = validated(s.ProductInput, request.data)
        product, created = product_upsert(sku=sku, category_code=data.pop("category"), **data)
        return _upserted(s.ProductOutput(product).data, created)

    @extend_schema(
        responses=s.ProductOutput,
        examples=[OpenApiExample("A TV", examples.PRODUCT_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku):
        product = get_or_404(selectors.product_get, f"Unknown product '{sku}'.", sku=sku)
        return Response(s.ProductOutput(product).data)


def customer_output(customer: Customer) -> dict:
    consents = selectors.customer_consents(customer=customer)
    return {
        **s.CustomerBaseOutput(customer).data,
        **selectors.customer_profile_extensions(customer=customer),
        "consents": s.ConsentOutput(consents, many=True).data,
    }


class CustomerView(StorefrontView):
    @extend_schema(
        request=s.CustomerInput,
        responses={
            200: s.CustomerOutput,
            201: s.CustomerOutput,
            409: OpenApiResponse(
                description="The customer was erased at their request (`customer_erased`): docs/privacy.md.",
                examples=[examples.CUSTOMER_ERASED_EXAMPLE],
            ),
        },
        examples=[OpenApiExample("Customer in Dhaka", examples.CUSTOMER_INPUT_EXAMPLE, request_only=True)],
    )
    def put(self, request, external_id):
        data = validated(s.CustomerInput, request.data)
        customer, created = customer_upsert(external_id=external_id, **data)
        customer = selectors.customer_get(external_id=customer.external_id)
        return _upserted(customer_output(customer), created)

    @extend_schema(
        responses=s.CustomerOutput,
        examples=[OpenApiExample("Customer in Dhaka", examples.CUSTOMER_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, external_id):
        return Response(customer_output(_customer_or_404(external_id)))


class CustomerRecommendationsView(StorefrontView):
    @extend_schema(
        parameters=[s.RecommendationsQuery],
        responses=s.RecommendationsOutput,
        examples=[
            OpenApiExample("Bought together, then popular", examples.RECOMMENDATIONS_OUTPUT_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request, external_id):
        customer = _customer_or_404(external_id)
        limit = validated(s.RecommendationsQuery, request.query_params)["limit"]
        shown = recommendation_selectors.customer_recommendations(customer=customer, limit=limit)
        computed_at = shown[0].computed_at if shown else None
        output = {"customer": customer.external_id, "computed_at": computed_at, "recommendations": shown}
        return Response(s.RecommendationsOutput(output).data)


class CustomerConsentsView(StorefrontView):
    @extend_schema(
        request=s.ConsentInput,
        responses={201: s.CustomerOutput},
        examples=[
            OpenApiExample("SMS opt-in at the till", examples.CONSENT_INPUT_EXAMPLE, request_only=True),
            OpenApiExample("The customer with the new consent", examples.CUSTOMER_OUTPUT_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, external_id):
        customer = _customer_or_404(external_id)
        data = validated(s.ConsentInput, request.data)
        consent_record(customer=customer, **data)
        return Response(customer_output(customer), status=status.HTTP_201_CREATED)


def _event_inputs(items: list[dict], *, single: bool) -> list[EventInput]:
    customers = selectors.customers_by_external_id(external_ids={item["customer"] for item in items})
    missing = {index: item["customer"] for index, item in enumerate(items) if item["customer"] not in customers}
    if missing and single:
        raise Http404(f"Unknown customer '{items[0]['customer']}'.")
    if missing:
        raise serializers.ValidationError(
            {"events": {str(index): {"customer": [f"Unknown customer '{ext}'."]} for index, ext in missing.items()}}
        )
    return [EventInput(**{**item, "customer": customers[item["customer"]]}) for item in items]


class EventView(StorefrontView):
    @extend_schema(
        request=s.EventInput,
        responses={200: s.EventOutput, 201: s.EventOutput},
        examples=[OpenApiExample("A complaint", examples.EVENT_INPUT_EXAMPLE, request_only=True)],
    )
    def post(self, request):
        data = validated(s.EventInput, request.data)
        [(event, created)] = events_record(events=_event_inputs([data], single=True))
        return _upserted(s.EventOutput(event).data, created)


class EventBatchView(StorefrontView):
    @extend_schema(
        request=s.EventBatchInput,
        responses={201: s.EventBatchOutput},
        examples=[
            OpenApiExample("Two web events", examples.EVENT_BATCH_EXAMPLE, request_only=True),
            OpenApiExample(
                "The first one was already recorded", examples.EVENT_BATCH_OUTPUT_EXAMPLE, response_only=True
            ),
        ],
        description="Records up to 1,000 events in one transaction. An event whose `idempotency_key` was already "
        "recorded counts as a duplicate and comes back as it was first recorded.",
    )
    def post(self, request):
        data = validated(s.EventBatchInput, request.data)
        results = events_record(events=_event_inputs(data["events"], single=False))
        output = s.EventBatchOutput(
            {
                "recorded": sum(created for _, created in results),
                "duplicates": sum(not created for _, created in results),
                "events": [event for event, _ in results],
            }
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


def order_return_output(order_return) -> dict:
    order = order_return.order
    return {
        "order": order.external_id,
        "return_id": order_return.return_id,
        "currency": order.currency,
        "amount": str(quantize(order_return.amount, order.currency)),
        "returned_at": order_return.returned_at,
        "lines": [
            {"line_no": returned.line.line_no, "sku": returned.line.sku, "quantity": returned.quantity,
             "amount": str(quantize(returned.amount, order.currency))}
            for returned in selectors.order_return_lines(order_return=order_return)
        ],
        **order_return.answer,
    }  # fmt: skip


class OrderReturnView(StorefrontView):
    @extend_schema(
        request=s.OrderReturnInput,
        responses={201: s.OrderReturnOutput, 200: s.OrderReturnOutput},
        examples=[
            OpenApiExample("Two of line 1 come back", examples.ORDER_RETURN_INPUT_EXAMPLE, request_only=True),
            OpenApiExample("The return", examples.ORDER_RETURN_OUTPUT_EXAMPLE, response_only=True),
        ],
        description="Records that some of the order's lines (or some of their quantity) came back, and runs what "
        "other apps do on a return (loyalty takes back the points of what was returned) in the same transaction. "
        "Idempotent per return_id: the same return_id answers the first return (200). A line cannot come back more "
        "often than it was bought (400); a cancelled order is a 409 `order_cancelled`.",
    )
    def post(self, request, external_id):
        data = validated(s.OrderReturnInput, request.data)
        order = get_or_404(selectors.order_by_external_id, f"Unknown order '{external_id}'.", external_id=external_id)
        order_return, created = order_lines_return(
            order=order,
            return_id=data["return_id"],
            lines=[ReturnLineInput(line_no=line["line_no"], quantity=line["quantity"]) for line in data["lines"]],
            returned_at=data["returned_at"],
        )
        output = s.OrderReturnOutput(order_return_output(order_return)).data
        return Response(output, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
