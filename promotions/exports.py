"""The promotions' background export (config/exports.py): redemptions."""

from config.exports import register_export, resource_export
from promotions.models import Redemption
from promotions.resources import RedemptionResource

register_export(
    resource_export(
        key="redemptions",
        title="Redemptions",
        permission="promotions.view_redemption",
        resource=RedemptionResource,
        queryset=Redemption.objects.all,
        position=30,
    )
)
