"""The customer page's "Journeys and campaigns" section: where this customer is in each journey, and which
campaigns reached them (or held them out)."""

from audiences.customer_page import CustomerSection, changelist_of_customer, register_customer_section
from campaigns.journeys.selectors import customer_enrollments
from campaigns.selectors import customer_assignments


def _section(customer) -> dict:
    return {
        "enrollments": customer_enrollments(customer_id=customer.pk),
        "assignments": customer_assignments(customer_id=customer.pk),
        "all_enrollments_url": changelist_of_customer("admin:campaigns_enrollment_changelist", customer),
    }


register_customer_section(
    CustomerSection(
        "journeys",
        "Journeys and campaigns",
        "admin/campaigns/customer_section.html",
        _section,
        position=70,
        permission="campaigns.view_campaign",
    )
)
