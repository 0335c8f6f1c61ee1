"""The storefront's loyalty endpoints: validate, call one service or selector, answer."""

from datetime import timedelta

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from audiences import selectors as audiences
from config.api.views import StorefrontView, get_or_404, validated
from loyalty import selectors
from loyalty.api import examples
from loyalty.api import serializers as s
from loyalty.services.redemption import reward_redeem
from loyalty.services.referrals import referral_code_issue
from loyalty.services.reservations import points_reserve, reservation_release


def _customer_or_404(external_id: str):
    return get_or_404(audiences.customer_get, f"Unknown customer '{external_id}'.", external_id=external_id)


class MemberView(StorefrontView):
    @extend_schema(
        responses={200: s.MemberOutput, 404: OpenApiResponse(description="Unknown customer, or not a member.")},
        examples=[examples.MEMBER],
    )
    def get(self, request, customer):
        found = _customer_or_404(customer)
        member = get_or_404(selectors.member_of, f"Customer '{customer}' is not a loyalty member.", customer=found)
        return Response(s.MemberOutput(selectors.member_summary(member=member)).data)


class RewardListView(StorefrontView):
    @extend_schema(responses=s.RewardOutput(many=True), examples=[examples.REWARDS])
    def get(self, request):
        return Response(s.RewardOutput(selectors.reward_catalog(), many=True).data)


class RedemptionView(StorefrontView):
    @extend_schema(
        request=s.RedemptionInput,
        responses={
            201: s.PointsRedemptionOutput,
            404: OpenApiResponse(description="Unknown customer or reward."),
            409: OpenApiResponse(description="Not enough spendable points.", examples=[examples.INSUFFICIENT]),
        },
        examples=[examples.REDEMPTION_INPUT, examples.REDEMPTION],
    )
    def post(self, request, customer):
        data = validated(s.RedemptionInput, request.data)
        found = _customer_or_404(customer)
        reward = get_or_404(selectors.reward_get, f"Unknown reward {data['reward']}.", reward_id=data["reward"])
        issue, balance = reward_redeem(customer=found, reward=reward)
        answer = {"code": issue.code.code, "points_spent": reward.points_cost, "points_balance": balance}
        return Response(s.PointsRedemptionOutput(answer).data, status=status.HTTP_201_CREATED)


def _reservation_answer(reservation, balance: int) -> dict:
    return s.ReservationOutput(
        {"order": reservation.order, "points": reservation.points, "status": reservation.status,
         "expires_at": reservation.expires_at, "points_balance": balance}
    ).data  # fmt: skip


class ReservationView(StorefrontView):
    @extend_schema(
        request=s.ReservationInput,
        responses={
            201: s.ReservationOutput,
            404: OpenApiResponse(description="Unknown customer."),
            409: OpenApiResponse(
                description="Not enough spendable points (`insufficient_points`), or the order is already placed "
                "(`order_placed`).",
                examples=[examples.INSUFFICIENT],
            ),
        },
        examples=[examples.RESERVATION_INPUT, examples.RESERVATION],
        description="Holds points at checkout for an order not placed yet: placing the order (`POST /orders` with "
        "this external_id) spends them and answers `points_spent`; cancelling it gives them back. The hold lapses "
        "after `hold_minutes` (default 30) and the points are spendable again. Reserving again for the same order "
        "replaces the amount and the hold.",
    )
    def post(self, request, customer):
        data = validated(s.ReservationInput, request.data)
        found = _customer_or_404(customer)
        reservation, balance = points_reserve(
            customer=found, order=data["order"], points=data["points"], hold=timedelta(minutes=data["hold_minutes"])
        )
        return Response(_reservation_answer(reservation, balance), status=status.HTTP_201_CREATED)


class ReservationReleaseView(StorefrontView):
    @extend_schema(
        request=None,
        responses={200: s.ReservationOutput, 404: OpenApiResponse(description="Unknown customer or reservation.")},
        examples=[examples.RESERVATION_RELEASED],
        description="Releases a held reservation (the checkout was abandoned). Idempotent; one already spent by "
        "its order stays spent.",
    )
    def delete(self, request, customer, order):
        found = _customer_or_404(customer)
        reservation = get_or_404(
            selectors.reservation_get, f"No points are reserved for order '{order}'.", customer=found, order=order
        )
        reservation = reservation_release(reservation=reservation)
        member = selectors.member_of(customer=found)
        return Response(_reservation_answer(reservation, selectors.member_summary(member=member)["points_balance"]))


class ReferralCodeView(StorefrontView):
    @extend_schema(
        responses={
            200: s.ReferralCodeOutput,
            404: OpenApiResponse(description="Unknown customer, or not a member."),
            409: OpenApiResponse(description="The program has no referral promotion (`referrals_off`)."),
        },
        examples=[examples.REFERRAL_CODE],
        description="The member's referral code (issued the first time it is asked for). An order whose `codes` "
        "include it, and that is the referee's first, rewards both sides once its points clear their pending "
        "period; not for the member themselves, once per referee (by phone and email too), and at most the "
        "program's monthly cap per referrer.",
    )
    def get(self, request, customer):
        found = _customer_or_404(customer)
        member = get_or_404(selectors.member_of, f"Customer '{customer}' is not a loyalty member.", customer=found)
        return Response(s.ReferralCodeOutput({"code": referral_code_issue(member=member).code.code}).data)
