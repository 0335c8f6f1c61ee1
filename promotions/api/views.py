"""One view per operation; each validates, calls one service or selector and shapes the answer."""

from django.db.models import Count, Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from audiences.models import Customer, Store
from config.api.views import ManagementView, Paginated, StorefrontView, validated
from promotions import selectors, services
from promotions.api import serializers as s
from promotions.api.guessing import GUESSING_LIMIT, GUESSING_REFUSAL, code_guessing_budget, unknown_codes
from promotions.api.throttles import CouponCustomerThrottle, CouponKeyThrottle
from promotions.code_exports import codes_csv_response
from promotions.engine.rewards import REWARD_TYPES
from promotions.engine.types import Reason
from promotions.models import CodeGenerationJob, Promotion, PromotionCode
from promotions.results import evaluation_payload

CART_EXAMPLE = {
    "customer": "C-1001",
    "store": "DHK-01",
    "channel": "web",
    "payment_method": "bkash",
    "currency": "BDT",
    "lines": [
        {"sku": "TV-55", "quantity": 1, "unit_price": "54000.00"},
        {"sku": "HDMI-2", "quantity": 3, "unit_price": "450.00", "category": "cables"},
    ],
    "shipping_price": "120.00",
    "codes": ["WELCOME15", "OLD10"],
}


def customer_or_404(external_id: str | None) -> Customer | None:
    if not external_id:
        return None
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        raise Http404(f"Unknown customer '{external_id}'.")
    return customer


def _store_code(code: str | None, field: str = "store") -> str | None:
    if code and not Store.objects.filter(code=code).exists():
        raise serializers.ValidationError({field: [f"Unknown store '{code}'."]})
    return code or None


def pricing_request(data: dict, customer: Customer | None = None) -> selectors.PricingRequest:
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
        store=_store_code(data.get("store")),
        channel=data.get("channel") or None,
        payment_method=data.get("payment_method") or None,
        shipping_price=data["shipping_price"],
        codes=data.get("codes", []),
    )


class CartEvaluateView(StorefrontView):
    @extend_schema(
        request=s.CartInput,
        responses={200: s.EvaluationOutput, 429: GUESSING_REFUSAL},
        examples=[OpenApiExample("A cart with two codes", CART_EXAMPLE, request_only=True)],
        description="Prices a cart: which promotions apply, how much, on which lines, and why a code was "
        "refused. Writes nothing. " + GUESSING_LIMIT,
    )
    def post(self, request):
        data = validated(s.CartInput, request.data)
        customer = customer_or_404(data.get("customer"))
        cart = pricing_request(data, customer)
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
        examples=[
            OpenApiExample("A code", {"code": "WELCOME15", "customer": "C-1001", "store": "DHK-01"}, request_only=True)
        ],
        description="Says whether a code can be used, and why not. Rate limited per key and per customer "
        "(requests). " + GUESSING_LIMIT,
    )
    def post(self, request):
        data = validated(s.CouponValidateInput, request.data)
        customer = customer_or_404(data.get("customer"))
        cart = pricing_request(data["cart"], customer) if data.get("cart") else None
        store = _store_code(data.get("store"))
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


def _promotions_with_counts():
    return selectors.promotion_list().annotate(
        active_redemptions=Count("redemptions", filter=Q(redemptions__status="active"))
    )


PROMOTION_EXAMPLE = {
    "name": "Welcome 15%",
    "status": "active",
    "starts_at": "2026-11-01T00:00:00+06:00",
    "ends_at": None,
    "trigger": "code",
    "code": "WELCOME15",
    "stores": [],
    "channels": [],
    "priority": 10,
    "stacking": "combinable",
    "usage_limit": 1000,
    "usage_limit_per_customer": 1,
    "budget": "50000.00",
    "eligibility": {"first_order_only": True, "min_subtotal": "1000.00"},
    "target": {"categories": ["electronics"], "exclude_skus": ["GIFT-CARD"]},
    "reward": {"type": "percentage", "value": "15", "max_discount": "5000.00"},
}


PROMOTION_OUTPUT_EXAMPLE = OpenApiExample(
    "Welcome 15%",
    {
        "id": 42,
        **PROMOTION_EXAMPLE,
        "currency": "BDT",
        "budget": "50000.00",
        "used": 118,
        "budget_spent": "23450.00",
        "redemptions": 118,
        "created_at": "2026-10-28T09:12:00+06:00",
        "updated_at": "2026-11-20T17:40:11+06:00",
    },
    response_only=True,
)
CODE_JOB_EXAMPLE = OpenApiExample(
    "Half way",
    {
        "id": 7,
        "promotion": 42,
        "pattern": "WIN-####-####",
        "count": 100000,
        "generated": 50000,
        "progress": 0.5,
        "status": "running",
        "error": "",
        "url": "https://promotions.example.com/api/v1/promotions/code-jobs/7",
        "codes_csv": "https://promotions.example.com/api/v1/promotions/42/codes.csv",
        "created_at": "2026-11-24T10:00:00+06:00",
        "finished_at": None,
    },
    response_only=True,
)

LIST_FILTERS = {
    "status": Promotion.Status.values,
    "trigger": Promotion.Trigger.values,
    "reward_type": sorted(REWARD_TYPES),
}


class PromotionListView(Paginated, ManagementView):
    queryset = Promotion.objects.all()

    @extend_schema(
        responses=s.PromotionOutput(many=True),
        parameters=[OpenApiParameter(name, str, enum=values) for name, values in LIST_FILTERS.items()],
        examples=[PROMOTION_OUTPUT_EXAMPLE],
        description="Promotions, highest priority first, 50 a page; filter by status, trigger or reward type.",
    )
    def get(self, request):
        promotions = _promotions_with_counts()
        for name in LIST_FILTERS:
            if request.query_params.get(name):
                promotions = promotions.filter(**{name: request.query_params[name]})
        return self.paginated(request, promotions, s.PromotionOutput)

    @extend_schema(
        request=s.PromotionInput,
        responses={201: s.PromotionOutput},
        examples=[OpenApiExample("Welcome 15%", PROMOTION_EXAMPLE, request_only=True), PROMOTION_OUTPUT_EXAMPLE],
    )
    def post(self, request):
        data = validated(s.PromotionInput, request.data)
        promotion = services.promotion_create(created_by=request.user, **data)
        return Response(s.PromotionOutput(_promotions_with_counts().get(pk=promotion.pk)).data, status=201)


def _promotion_or_404(promotion_id: int) -> Promotion:
    promotion = selectors.promotion_get(promotion_id=promotion_id)
    if promotion is None:
        raise Http404(f"Unknown promotion {promotion_id}.")
    return promotion


class PromotionDetailView(ManagementView):
    queryset = Promotion.objects.all()

    @extend_schema(responses={200: s.PromotionOutput}, examples=[PROMOTION_OUTPUT_EXAMPLE])
    def get(self, request, promotion_id):
        promotion = _promotions_with_counts().filter(pk=promotion_id).first()
        if promotion is None:
            raise Http404(f"Unknown promotion {promotion_id}.")
        return Response(s.PromotionOutput(promotion).data)

    @extend_schema(
        request=s.PromotionInput(partial=True),
        responses={200: s.PromotionOutput},
        examples=[
            OpenApiExample("Pause it", {"status": "paused"}, request_only=True),
            OpenApiExample(
                "Raise the cap",
                {"reward": {"type": "percentage", "value": "15", "max_discount": "8000.00"}},
                request_only=True,
            ),
            PROMOTION_OUTPUT_EXAMPLE,
        ],
        description="Changes the fields given. Setting `code` replaces the shared code; one already redeemed is "
        "retired (it stops working, the ledger keeps it).",
    )
    def patch(self, request, promotion_id):
        promotion = _promotion_or_404(promotion_id)
        serializer = s.PromotionInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.promotion_update(promotion=promotion, **serializer.validated_data)
        return Response(s.PromotionOutput(_promotions_with_counts().get(pk=promotion.pk)).data)


class PromotionCodesView(ManagementView):
    queryset = CodeGenerationJob.objects.all()

    @extend_schema(
        request=s.CodeJobInput,
        responses={202: s.CodeJobOutput},
        examples=[
            OpenApiExample("100,000 codes", {"count": 100000, "pattern": "WIN-####-####"}, request_only=True),
            CODE_JOB_EXAMPLE,
        ],
        description="Starts a background job generating unique single-use codes; poll the job URL for progress.",
    )
    def post(self, request, promotion_id):
        promotion = _promotion_or_404(promotion_id)
        data = validated(s.CodeJobInput, request.data)
        job = services.code_generation_start(
            promotion=promotion, count=data["count"], pattern=data["pattern"], created_by=request.user
        )
        job.refresh_from_db()
        output = s.CodeJobOutput(job, context={"request": request}).data
        return Response(output, status=status.HTTP_202_ACCEPTED, headers={"Location": output["url"]})


class CodeJobView(ManagementView):
    queryset = CodeGenerationJob.objects.all()

    @extend_schema(responses={200: s.CodeJobOutput}, examples=[CODE_JOB_EXAMPLE])
    def get(self, request, job_id):
        job = selectors.code_job_get(job_id=job_id)
        if job is None:
            raise Http404(f"Unknown code generation job {job_id}.")
        return Response(s.CodeJobOutput(job, context={"request": request}).data)


class PromotionCodesExportView(ManagementView):
    queryset = PromotionCode.objects.all()

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR)},
        examples=[
            OpenApiExample(
                "Unique codes",
                "code,usage_limit,used\r\nWIN-7K3Q-MX9D,1,0\r\nWIN-R4TB-2HWN,1,1\r\n",
                response_only=True,
                media_type="text/csv",
            )
        ],
        description="The promotion's codes as CSV, `code,usage_limit,used` per line, streamed (retired codes "
        "left out).",
    )
    def get(self, request, promotion_id):
        promotion = _promotion_or_404(promotion_id)
        return codes_csv_response(promotion, filename=f"promotion-{promotion.pk}-codes.csv")
