"""The three roles, as groups of model permissions that the admin and the management API both check.

- Marketer: every permission of the marketing apps (add, change, view; delete where a model has it).
- Analyst: view only, in the marketing apps: they see everything and change nothing.
- Administrator: every permission (but approving campaigns, given to users one by one), including users,
  API keys, tokens, periodic tasks and sign-in lockouts,
  and the only role that sees the admin's Settings section.

A user given any of them gets staff status with it (config/receivers.py): the admin lets in staff only.

A data migration (config/migrations/0002_roles_marketer_analyst_administrator.py) creates the groups; every
`migrate` runs `roles_sync` again so models added since get their permissions. A model whose rows are a record
(the outbox, ledgers, redemptions, scores) declares no delete permission (`default_permissions`), so no role
can be given it.
"""

MARKETER = "Marketer"
ANALYST = "Analyst"
ADMINISTRATOR = "Administrator"
ROLES = (MARKETER, ANALYST, ADMINISTRATOR)
MARKETING_APPS = ("audiences", "promotions", "loyalty", "messaging", "campaigns")
# The `default_permissions` of a model whose rows are a record: no delete permission to give anyone.
KEPT_FOR_THE_RECORD = ("add", "change", "view")
# Given to users one by one, never with a role: whoever builds a campaign does not approve it.
APPROVAL_PERMISSIONS = ("approve_campaign",)


def _declared_codenames(models) -> set[tuple[str, str]]:
    """(app label, codename) of every permission the models declare now; rows left by older declarations
    (a delete permission since removed) are not granted."""
    declared = set()
    for model in models:
        opts = model._meta
        declared.update((opts.app_label, f"{action}_{opts.model_name}") for action in opts.default_permissions)
        declared.update((opts.app_label, codename) for codename, _ in opts.permissions)
    return declared


def roles_sync(*, group_model, permission_model, models) -> None:
    """Create or update the three groups. Takes the model classes so a migration can pass its historical ones."""
    declared = _declared_codenames(models)
    every = [
        permission.pk
        for permission in permission_model.objects.select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in declared
        and permission.codename not in APPROVAL_PERMISSIONS
    ]
    marketing = permission_model.objects.filter(pk__in=every, content_type__app_label__in=MARKETING_APPS)
    group_model.objects.get_or_create(name=MARKETER)[0].permissions.set(marketing)
    group_model.objects.get_or_create(name=ANALYST)[0].permissions.set(marketing.filter(codename__startswith="view_"))
    group_model.objects.get_or_create(name=ADMINISTRATOR)[0].permissions.set(every)


def is_administrator(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()
