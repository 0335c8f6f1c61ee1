"""Every write of promotions, one module per concern; import from the module that owns the function.

`definitions` (promotions and their lifecycle), `codes` (code generation), `orders` (placing an
order) and `redemption` (claiming its uses). The package re-exports nothing.
"""
