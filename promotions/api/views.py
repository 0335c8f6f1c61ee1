"""One view per operation; each validates, calls one service or selector and shapes the answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from audiences.models import Customer
from audiences.selectors import customer_get
from config.api.lean import LeanInput
from config.api.views import ManagementView, Paginated, StorefrontView, get_or_404, validated
from promotions import selectors
from promotions.api import examples
from promotions.api import serializers as s
from promotions.api.guessing import GUESSING_LIMIT, GUESSING_REFUSAL, code_guessing_budget, unknown_codes
from promotions.api.throttles import CouponCustomerThrottle, CouponKeyThrottle
from promotions.code_exports import codes_csv_response
from promotions.engine.types import Reason
from promotions.models import CodeGenerationJob, Promotion, PromotionCode
from promotions.results import evaluation_payload
from promotions.services.codes import code_generation_start
from promotions.services.definitions import promotion_create, promotion_update
from promotions.storefront_cache import PricingVersions, customer_by_external_id, pricing_versions

# The storefront's hot inputs, validated without rebuilding their serializers per request (config/api/lean.py).
CART_INPUT = LeanInput(s.CartInput)
COUPON_INPUT = LeanInput(s.CouponValidateInput)


def customer_or_404(external_id: str | None) -> Customer | None:
    """The customer a storefront request names, if it names one."""
    if not external_id:
        return None
    return get_or_404(customer_get, f"Unknown customer '{external_id}'.", external_id=external_id)


def cached_customer_or_404(
    external_id: str | None, versions: PricingVersions
) -> tuple[Customer | None, PricingVersions]:
    """As `customer_or_404`, from the storefront cache; `versions` come back with the customer's token."""
    if not external_id:
        return None, versions
    customer, versions = customer_by_external_id(external_id, versions)
    if customer is None:
        raise NotFound(f"Unknown customer '{external_id}'.")
    return customer, versions


def pricing_request(
    data: dict, customer: Customer | None = None, versions: PricingVersions | None = None
) -> selectors.PricingRequest:
    return selectors.PricingRequest(
        currency=data["currency"],
        lines=[
            selectors.LineInput(
                sku=line["sku"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                category=line.get("category") or None,
            )
            for line in data["lines"]
        ],
        customer=customer,
        store=selectors.known_store_code(code=data.get("store"), versions=versions),
        channel=data.get("channel") or None,
        payment_method=data.get("payment_method") or None,
        shipping_price=data["shipping_price"],
        codes=data.get("codes", []),
        versions=versions,
    )


class CartEvaluateView(StorefrontView):
    @extend_schema(
        request=s.CartInput,
        responses={200: s.EvaluationOutput, 429: GUESSING_REFUSAL},
        examples=[examples.CART_INPUT],
        description="Prices a cart: which promotions apply, how much, on which lines, and why a code was "
        "refused. Writes nothing. " + GUESSING_LIMIT,
    )
    def post(self, request):
        data = CART_INPUT.validated(request.data)
        versions = pricing_versions()
        customer, versions = cached_customer_or_404(data.get("customer"), versions)
        cart = pricing_request(data, customer, versions)
        with code_guessing_budget(request, customer=customer and customer.external_id, codes=cart.codes) as guesses:
            pricing = selectors.cart_price(request=cart)
            guesses.unknown(unknown_codes(pricing.result.codes))
        return Response(evaluation_payload(pricing.result))


class CouponValidateView(StorefrontView):
    throttle_classes = [CouponKeyThrottle, CouponCustomerThrottle]

    @extend_schema(
        request=s.CouponValidateInput,
        responses={
            200: s.CouponValidateOutput,
            429: OpenApiResponse(
                description="Too many requests, or too many unknown codes, from this key or customer: "
                "`Retry-After` says when to try again."
            ),
        },
        examples=[examples.COUPON_INPUT],
        description="Says whether a code can be used, and why not. Rate limited per key and per customer "
        "(requests). " + GUESSING_LIMIT,
    )
    def post(self, request):
        data = COUPON_INPUT.validated(request.data)
        customer = customer_or_404(data.get("customer"))
        cart = pricing_request(data["cart"], customer) if data.get("cart") else None
        store = selectors.known_store_code(code=data.get("store"))
        with code_guessing_budget(request, customer=customer and customer.external_id, codes=[data["code"]]) as guesses:
            check = selectors.coupon_check(
                code=data["code"],
                customer=customer,
                store=store,
                channel=data.get("channel") or None,
                payment_method=data.get("payment_method") or None,
                cart=cart,
            )
            guesses.unknown(1 if check.reason == Reason.NOT_FOUND else 0)
        promotion = check.promotion
        return Response(
            {
                "valid": check.valid,
                "reason": check.reason,
                "detail": check.detail,
                "message": check.message,
                "promotion": {
                    "id": promotion.pk,
                    "name": promotion.name,
                    "reward": promotion.reward_type,
                    "ends_at": serializers.DateTimeField().to_representation(promotion.ends_at)
                    if promotion.ends_at
                    else None,
                }
                if promotion is not None
                else None,
            }
        )


class PromotionListView(Paginated, ManagementView):
    queryset = Promotion.objects.all()

    @extend_schema(
        responses=s.PromotionOutput(many=True),
        parameters=[
            OpenApiParameter(name, str, enum=values) for name, values in selectors.PROMOTION_LIST_FILTERS.items()
        ],
        examples=[examples.PROMOTION_OUTPUT],
        description="Promotions, highest priority first, 50 a page; filter by status, trigger or reward type.",
    )
    def get(self, request):
        promotions = selectors.promotion_list(filters=request.query_params)
        return self.paginated(request, promotions, s.PromotionOutput)

    @extend_schema(
        request=s.PromotionInput,
        responses={201: s.PromotionOutput},
        examples=[examples.PROMOTION_INPUT, examples.PROMOTION_OUTPUT],
    )
    def post(self, request):
        data = validated(s.PromotionInput, request.data)
        promotion = promotion_create(created_by=request.user, **data)
        return Response(
            s.PromotionOutput(selectors.promotion_with_counts_get(promotion_id=promotion.pk)).data, status=201
        )


def _promotion_or_404(promotion_id: int) -> Promotion:
    return get_or_404(selectors.promotion_get, f"Unknown promotion {promotion_id}.", promotion_id=promotion_id)


class PromotionDetailView(ManagementView):
    queryset = Promotion.objects.all()

    @extend_schema(responses={200: s.PromotionOutput}, examples=[examples.PROMOTION_OUTPUT])
    def get(self, request, promotion_id):
        promotion = get_or_404(
            selectors.promotion_with_counts_get, f"Unknown promotion {promotion_id}.", promotion_id=promotion_id
        )
        return Response(s.PromotionOutput(promotion).data)

    @extend_schema(
        request=s.PromotionInput(partial=True),
        responses={200: s.PromotionOutput},
        examples=[examples.PROMOTION_PAUSE, examples.PROMOTION_RAISE_CAP, examples.PROMOTION_OUTPUT],
        description="Changes the fields given. Setting `code` replaces the shared code; one already redeemed is "
        "retired (it stops working, the ledger keeps it).",
    )
    def patch(self, request, promotion_id):
        promotion = _promotion_or_404(promotion_id)
        serializer = s.PromotionInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        promotion_update(promotion=promotion, **serializer.validated_data)
        return Response(s.PromotionOutput(selectors.promotion_with_counts_get(promotion_id=promotion.pk)).data)


class PromotionCodesView(ManagementView):
    queryset = CodeGenerationJob.objects.all()

    @extend_schema(
        request=s.CodeJobInput,
        responses={202: s.CodeJobOutput},
        examples=[examples.CODE_JOB_INPUT, examples.CODE_JOB_OUTPUT],
        description="Starts a background job generating unique single-use codes; poll the job URL for progress.",
    )
    def post(self, request, promotion_id):
        promotion = _promotion_or_404(promotion_id)
        data = validated(s.CodeJobInput, request.data)
        job = code_generation_start(
            promotion=promotion, count=data["count"], pattern=data["pattern"], created_by=request.user
        )
        job.refresh_from_db()
        output = s.CodeJobOutput(job, context={"request": request}).data
        return Response(output, status=status.HTTP_202_ACCEPTED, headers={"Location": output["url"]})


class CodeJobView(ManagementView):
    queryset = CodeGenerationJob.objects.all()

    @extend_schema(responses={200: s.CodeJobOutput}, examples=[examples.CODE_JOB_OUTPUT])
    def get(self, request, job_id):
        job = get_or_404(selectors.code_job_get, f"Unknown code generation job {job_id}.", job_id=job_id)
        return Response(s.CodeJobOutput(job, context={"request": request}).data)


class PromotionCodesExportView(ManagementView):
    queryset = PromotionCode.objects.all()

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR)},
        examples=[examples.CODES_CSV],
        description="The promotion's codes as CSV, `code,usage_limit,used` per line, streamed (retired codes "
        "left out).",
    )
    def get(self, request, promotion_id):
        promotion = _promotion_or_404(promotion_id)
        return codes_csv_response(promotion, filename=f"promotion-{promotion.pk}-codes.csv")
