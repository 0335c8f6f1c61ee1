"""What loyalty does when audiences tells it something. Thin: each calls one service."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from audiences.models import Category, Order
from audiences.signals import demo_flushing, demo_seeded, event_recorded, order_placed
from loyalty import demo
from loyalty.models import EarningRule, Program, Reward, Tier
from loyalty.program_rules import rules_version_bump
from loyalty.services.earning import bonus_award
from promotions.services.definitions import index_version_bump


@receiver(event_recorded, dispatch_uid="loyalty.bonus_for_event")
def award_event_bonus(sender, *, event, **kwargs):
    bonus_award(customer=event.customer, event_type=event.type, source_type="event", source_id=event.pk,
                occurred_at=event.occurred_at)  # fmt: skip


@receiver(order_placed, dispatch_uid="loyalty.bonus_for_first_order")
def award_first_order_bonus(sender, *, order, **kwargs):
    # "No earlier order" probes the customer's index; taking their first order by id walked the primary key
    # backwards past every other customer's orders (14 ms at 20,000 orders, on every order placed).
    if order.customer_id and not Order.objects.filter(customer_id=order.customer_id, pk__lt=order.pk).exists():
        bonus_award(customer=order.customer, event_type="first_order", source_type="order", source_id=order.pk,
                    occurred_at=order.placed_at)  # fmt: skip


@receiver(demo_seeded, dispatch_uid="loyalty.demo_program")
def install_demo_program(sender, **kwargs):
    demo.demo_program_install()


@receiver(demo_flushing, dispatch_uid="loyalty.demo_remove")
def remove_demo_loyalty(sender, **kwargs):
    demo.demo_loyalty_remove()


@receiver(post_save, sender=Program, dispatch_uid="loyalty.rules_program_saved")
@receiver(post_delete, sender=Program, dispatch_uid="loyalty.rules_program_deleted")
@receiver(post_save, sender=Tier, dispatch_uid="loyalty.rules_tier_saved")
@receiver(post_delete, sender=Tier, dispatch_uid="loyalty.rules_tier_deleted")
@receiver(post_save, sender=EarningRule, dispatch_uid="loyalty.rules_rule_saved")
@receiver(post_delete, sender=EarningRule, dispatch_uid="loyalty.rules_rule_deleted")
def renew_program_rules(sender, **kwargs):
    rules_version_bump()


@receiver(post_save, sender=Reward, dispatch_uid="loyalty.offers_reward_saved")
@receiver(post_delete, sender=Reward, dispatch_uid="loyalty.offers_reward_deleted")
@receiver(post_save, sender=Program, dispatch_uid="loyalty.offers_program_saved")
def renew_offered_rewards(sender, **kwargs):
    """Next best offer reads which promotions are rewards, and whether they are on, once per promotion index
    (loyalty/offers.py). A program's delete takes its rewards with it, each sending its own delete."""
    index_version_bump()


@receiver(post_save, sender=Category, dispatch_uid="loyalty.rules_category_saved")
def renew_rules_of_category(sender, *, instance, **kwargs):
    if EarningRule.objects.filter(category=instance).exists():  # a rule is kept with its category's code
        rules_version_bump()
