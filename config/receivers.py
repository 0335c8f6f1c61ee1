"""Reactions of config to other apps' signals: a user given a role may sign in to the admin."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from config.roles import ROLES
from config.setup import role_members_make_staff


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="config.role_members_are_staff")
def role_members_are_staff(sender, instance, action, reverse, pk_set, **kwargs):
    """Adding a user to a role (from the user's page or the group's side) gives them staff status, without which
    the admin refuses them; taking a role away leaves it, since an administrator may have set it on purpose."""
    if action != "post_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(users): the instance is the group
        if instance.name in ROLES:
            role_members_make_staff(user_ids=pk_set)
    elif Group.objects.filter(pk__in=pk_set, name__in=ROLES).exists():
        role_members_make_staff(user_ids=[instance.pk])
        instance.is_staff = True
