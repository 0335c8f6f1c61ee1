"""The admin: a member's balance, tier and ledger, adjustments with a reason, and the customer page's section."""

import re
from decimal import Decimal

import pytest

from loyalty.models import LedgerEntry, Program, Tier
from tests.loyalty.conftest import T0, earn, new_member

pytestmark = pytest.mark.django_db


def test_the_member_page_shows_balance_tier_and_ledger_and_adjusts_with_a_reason(admin_client, admin_user, program):
    member = new_member(program, "C-1")
    earn(member, 1200, external_id="O-1", placed_at=T0)
    url = f"/admin/loyalty/member/{member.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "Spendable <b>1200</b>" in page and "Tier silver" in page and "points to gold" in page
    assert "order" in page and "+1200" in page

    refused = admin_client.post(url, {"adjust_points": "-200", "adjust_reason": ""})
    assert "Say why the points change." in refused.content.decode()
    assert not LedgerEntry.objects.filter(kind="adjust").exists()

    admin_client.post(url, {"adjust_points": "-200", "adjust_reason": "Duplicate order points"})
    adjustment = LedgerEntry.objects.get(kind="adjust")
    assert (adjustment.points, adjustment.reason, adjustment.created_by) == (-200, "Duplicate order points", admin_user)
    assert "Spendable <b>1000</b>" in admin_client.get(url).content.decode()


def test_the_customer_page_has_a_loyalty_section(admin_client, program):
    member = new_member(program, "C-1")
    earn(member, 300, external_id="O-1", placed_at=T0)
    page = admin_client.get(f"/admin/audiences/customer/{member.customer.pk}/change/").content.decode()
    section = page.split('id="section-loyalty"')[1].split("</section>")[0]
    assert "<b>300</b> points spendable" in section and "700 points to silver" in section


def test_an_earning_rules_tier_is_chosen_among_its_own_programs_tiers(admin_client, program):
    other = Program.objects.create(name="Club TZ", currency="TZS", points_per_unit=Decimal(1))
    Tier.objects.create(program=other, name="silver", threshold=10)
    page = admin_client.get(f"/admin/loyalty/program/{program.pk}/change/").content.decode()
    select = page.split('name="rules-__prefix__-tier"')[1].split("</select>")[0]
    own = [str(tier.pk) for tier in Tier.objects.filter(program=program)]
    offered = re.findall(r'<option value="(\d+)"', select)
    assert sorted(offered) == sorted(own)  # not the other program's silver


def test_the_members_list_shows_each_balance_as_the_member_page_counts_it_in_one_query(
    admin_client, program, django_assert_max_num_queries
):
    from datetime import timedelta

    from loyalty.models import Member
    from loyalty.selectors import member_summary
    from loyalty.services.reservations import points_reserve

    held = new_member(program, "C-1")
    earn(held, 1200, external_id="O-1", placed_at=T0)
    points_reserve(customer=held.customer, order="O-9", points=300, hold=timedelta(hours=2))
    in_debt = new_member(program, "C-2")
    earn(in_debt, 500, external_id="O-2", placed_at=T0)
    Member.objects.filter(pk=in_debt.pk).update(debt=40)
    for n in range(3, 30):
        earn(new_member(program, f"C-{n}"), 10 * n, external_id=f"O-{n}", placed_at=T0)

    with django_assert_max_num_queries(12):  # not one query per member
        page = admin_client.get("/admin/loyalty/member/").content.decode()

    for member in Member.objects.filter(pk__in=[held.pk, in_debt.pk]):
        balance = member_summary(member=member)["points_balance"]
        row = page.split(f">{member.customer}<")[1].split("</tr>")[0]
        assert f'<td class="field-balance">{balance}</td>' in row
    assert (
        f'<td class="field-balance">{1200 - 300}</td>' in page and f'<td class="field-balance">{500 - 40}</td>' in page
    )
