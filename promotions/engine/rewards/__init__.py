"""Reward types: one module per type, each a class that reads, checks and applies its reward and
registers itself (`registry.py`). Importing the package registers the built-in types below; apps
above promotions register their own the same way."""

from promotions.engine.rewards import (  # noqa: F401  (imported to register them)
    bundle,
    buy_x_get_y,
    fixed_amount,
    fixed_price,
    free_shipping,
    gift,
    percentage,
    tiered,
)
