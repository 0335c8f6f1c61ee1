"""A demo customer's events (sign-up, browsing, carts, complaints, engagement) and marketing consents."""

from audiences.demo import reference
from audiences.demo.reference import Country
from audiences.demo.rows import DAY, Chunk, as_datetime, compact_json, money


class ActivityRows:
    """DemoGenerator's events and consents: uses its random draws, ids, catalogs and showroom, in the same order
    as ever, so that a seed keeps giving the same rows."""

    def _event(self, chunk: Chunk, customer_id: int, kind: str, moment: int, properties: dict) -> None:
        occurred_at = as_datetime(moment)
        chunk.events.append(
            (self.ids.event, customer_id, kind, occurred_at, compact_json(properties), None, occurred_at)
        )
        self.ids.event += 1

    def _viewed(self, chunk: Chunk, customer_id: int, moment: int, sku: str) -> None:
        """A product_viewed event naming the product's sku, brand, model and category (its JSON made once)."""
        occurred_at = as_datetime(moment)
        chunk.events.append(
            (self.ids.event, customer_id, "product_viewed", occurred_at, self.view_properties[sku], None, occurred_at)
        )
        self.ids.event += 1

    def _events(
        self,
        chunk: Chunk,
        customer_id: int,
        country: Country,
        signed_up: int,
        orders: list[tuple[int, bool, int, str]],
        offset: int,
        acquisition: str,
    ) -> None:
        """Sign-up, browsing before recent orders and at random, abandoned carts, complaints, engagement."""
        rng = self.rng
        as_of = self.as_of
        catalog = self.catalogs[country.code]
        self._event(chunk, customer_id, "signed_up", signed_up, {"source": acquisition})
        for placed_at, _, _, sku in orders[-3:]:
            self._viewed(chunk, customer_id, max(signed_up, placed_at - int(rng.random() * 7200)), sku)
        for _ in range(int(rng.random() * 3)):
            self._viewed(chunk, customer_id, self._local_time(signed_up, as_of, offset), catalog.pick(rng)[1])
        for moment, spec in self.showroom.views(country.currency, signed_up):
            self._viewed(chunk, customer_id, moment, spec.sku)
        if rng.random() < 0.25:
            product = catalog.pick(rng)
            quantity = 1 + int(rng.random() * 2)
            self._event(
                chunk,
                customer_id,
                "cart_updated",
                self._local_time(max(signed_up, as_of - 60 * DAY), as_of, offset),
                {
                    "sku": product[1],
                    "items": quantity,
                    "value": money(product[3] * quantity, country.currency),
                    "currency": country.currency,
                },
            )
        if orders and rng.random() < 0.03:
            placed_at = orders[int(rng.random() * len(orders))][0]
            opened = min(placed_at + int(rng.random() * 5 * DAY), as_of)
            ticket = {"ticket": f"T-{customer_id}-{self.ids.event}", "reason": rng.choice(reference.COMPLAINT_REASONS)}
            self._event(chunk, customer_id, "complaint_opened", opened, ticket)
            if rng.random() < 0.75:
                self._event(
                    chunk, customer_id, "complaint_resolved", min(opened + int(rng.random() * 4 * DAY), as_of), ticket
                )
        if rng.random() < 0.35:
            for _ in range(1 + int(rng.random() * 3)):
                campaign = {
                    "campaign": rng.choice(reference.CAMPAIGNS),
                    "channel": rng.choice(("sms", "sms", "email", "whatsapp")),
                }
                opened = self._local_time(max(signed_up, as_of - 365 * DAY), as_of, offset)
                self._event(chunk, customer_id, "message_opened", opened, campaign)
                if rng.random() < 0.3:
                    self._event(
                        chunk, customer_id, "message_clicked", min(opened + int(rng.random() * 600), as_of), campaign
                    )
                if rng.random() < 0.05:
                    self._event(
                        chunk, customer_id, "message_replied", min(opened + int(rng.random() * 3600), as_of), campaign
                    )

    def _consents(self, chunk: Chunk, customer_id: int, signed_up: int, has_email: bool) -> None:
        """Marketing consent per channel: the history, and the latest statement as the one in force."""
        rng = self.rng
        as_of = self.as_of
        chances = [("sms", 0.85), ("whatsapp", 0.2)] + ([("email", 0.6)] if has_email else [])
        for channel, opt_in_chance in chances:
            if channel == "whatsapp" and rng.random() < 0.6:
                continue  # never asked
            sources = reference.CHANNEL_SOURCES[channel]
            statements = [("opted_in" if rng.random() < opt_in_chance else "opted_out", rng.choice(sources), signed_up)]
            if statements[0][0] == "opted_in" and rng.random() < 0.08:
                source = (
                    "sms_stop" if channel == "sms" else "unsubscribe_link" if channel == "email" else "whatsapp_block"
                )
                statements.append(("opted_out", source, signed_up + int(rng.random() * (as_of - signed_up))))
            for status, source, moment in statements:
                recorded_at = as_datetime(moment)
                chunk.consent_records.append(
                    (
                        self.ids.consent_record,
                        customer_id,
                        channel,
                        "marketing",
                        status,
                        source,
                        recorded_at,
                        recorded_at,
                    )
                )
                self.ids.consent_record += 1
            status, source, moment = statements[-1]
            chunk.consents.append(
                (self.ids.consent, customer_id, channel, "marketing", status, source, as_datetime(moment))
            )
            self.ids.consent += 1
