"""What the demo data set needs from messaging: a sender postal address, without which no
marketing email would go out (CAN-SPAM). One company runs every demo store, so one default
address; an operator's own address, if one exists, is kept."""

from messaging.models import SenderAddress

DEMO_POSTAL_ADDRESS = "Demo Electronics Ltd, House 12, Road 7, Gulshan 1, Dhaka 1212, Bangladesh"


def demo_sender_address_install() -> SenderAddress:
    address, _ = SenderAddress.objects.get_or_create(store=None, defaults={"postal_address": DEMO_POSTAL_ADDRESS})
    return address
