"""A demo customer's orders and their lines, drawn from the purchase process (audiences/demo/purchases.py)."""

from audiences.currencies import CURRENCY_EXPONENTS
from audiences.demo import reference
from audiences.demo.catalog import StoreSpec
from audiences.demo.rows import DAY, Chunk, as_datetime, compact_json, money

ORDER_SPAN_DAYS = 2 * 365
CANCELLED_SHARE = 0.03
LINES_PER_ORDER_CUMULATIVE = (0.55, 0.80, 0.93)  # 1, 2, 3 lines; else 4
# The share of a buyer's lines drawn from their one family of products (audiences/demo/catalog.py, FAMILY_SIZE).
FAMILY_SHARE = 0.6


class OrderRows:
    """DemoGenerator's orders: uses its random draws, ids, catalogs and stores, in the same order as ever, so
    that a seed keeps giving the same rows."""

    def _orders(
        self, chunk: Chunk, customer_id: int, store: StoreSpec, store_id: int, signed_up: int, offset: int
    ) -> list[tuple[int, bool, int, str]]:
        """Write the customer's orders, drawn from the purchase process (audiences/demo/purchases.py) over their
        window; returns (placed at, placed?, total, first sku) per order."""
        rng = self.rng
        as_of = self.as_of
        start = max(signed_up, as_of - ORDER_SPAN_DAYS * DAY)
        if rng.random() >= self.purchases.buyer_share:
            return []
        days = self.purchases.orders_of_one_buyer(rng, (as_of - start) / DAY)
        if not days:
            return []
        country = store.country
        currency = country.currency
        unit = 10 ** CURRENCY_EXPONENTS[currency]
        discount_step = country.discount_step * unit
        catalog = self.catalogs[country.code]
        home_stores = self.stores_by_country[country.code]
        moments = sorted(self._at_shopping_hour(start + int(day * DAY), start, as_of, offset) for day in days)
        family = int(rng.random() * len(catalog.families))
        lines_cumulative = LINES_PER_ORDER_CUMULATIVE
        orders_out = chunk.orders
        lines_out = chunk.order_lines
        summary = []
        for placed_at in moments:
            order_id = self.ids.order
            self.ids.order += 1
            draw = rng.random()
            line_count = (
                1
                if draw < lines_cumulative[0]
                else 2
                if draw < lines_cumulative[1]
                else 3
                if draw < lines_cumulative[2]
                else 4
            )
            subtotal = discount_total = 0
            first_sku = ""
            order_lines = []  # written with the order's status, drawn after them
            for line_no in range(1, line_count + 1):
                product_id, sku, category_id, price, several = catalog.pick(
                    rng, family if rng.random() < FAMILY_SHARE else None
                )
                first_sku = first_sku or sku
                quantity = 1 + int(rng.random() * 3) if several and rng.random() < 0.35 else 1
                line_subtotal = price * quantity
                discount = 0
                if rng.random() < 0.12:
                    discount = line_subtotal * (5 + int(rng.random() * 11)) // 100 // discount_step * discount_step
                subtotal += line_subtotal
                discount_total += discount
                order_lines.append(
                    (
                        self.ids.order_line, order_id, line_no, sku, product_id, category_id, quantity,
                        money(price, currency), money(line_subtotal, currency), money(discount, currency),
                        money(line_subtotal - discount, currency),
                    )
                )  # fmt: skip
                self.ids.order_line += 1
            draw = rng.random()
            channel = "store"
            for name, share in reference.ORDER_CHANNELS:
                if draw < share:
                    channel = name
                    break
                draw -= share
            order_store_id = store_id if channel != "store" or rng.random() < 0.85 else rng.choice(home_stores)[1]
            shipping = shipping_discount = 0
            if channel in ("web", "app", "whatsapp"):
                shipping = rng.choice(country.shipping_fees) * unit
                if subtotal - discount_total >= country.free_shipping_from * unit:
                    shipping_discount = shipping
            total = subtotal - discount_total + shipping - shipping_discount
            cancelled = rng.random() < CANCELLED_SHARE
            cancelled_at = (
                as_datetime(min(placed_at + 3600 + int(rng.random() * 2 * DAY), as_of)) if cancelled else None
            )
            attribution = "{}"
            if channel != "store" and rng.random() < 0.3:
                attribution = compact_json(
                    {
                        "utm_source": rng.choice(("facebook", "google", "sms", "email")),
                        "campaign": rng.choice(reference.CAMPAIGNS),
                    }
                )
            placed = as_datetime(placed_at)
            status = "cancelled" if cancelled else "placed"
            lines_out.extend((*line, customer_id, placed, status) for line in order_lines)
            orders_out.append(
                (
                    order_id, f"O-{order_id:07d}", customer_id, order_store_id, channel, currency, placed,
                    status, money(subtotal, currency), money(discount_total, currency),
                    money(shipping, currency), money(shipping_discount, currency), money(total, currency),
                    attribution, cancelled_at, placed,
                )
            )  # fmt: skip
            summary.append((placed_at, not cancelled, total, first_sku))
        return summary
