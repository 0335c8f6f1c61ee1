"""What keeps the admin's costly and destructive operations safe: records no one deletes."""


class KeptForTheRecord:
    """A ModelAdmin of rows that are a record (the outbox, ledgers, redemptions, scores): no one deletes them
    here, superusers included, so "Delete selected" is not offered either. Their models declare no delete
    permission (config.roles.KEPT_FOR_THE_RECORD)."""

    def has_delete_permission(self, request, obj=None):
        return False
