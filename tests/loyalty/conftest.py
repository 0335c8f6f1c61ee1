"""Loyalty's tests price carts through promotions' API, with its catalog and customer."""

from tests.promotions.conftest import catalog, customer  # noqa: F401 (fixtures)
