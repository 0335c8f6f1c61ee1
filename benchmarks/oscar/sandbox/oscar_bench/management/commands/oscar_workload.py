"""Create the side-by-side workload in oscar's own models (benchmarks/oscar/workload.py): the products with their
stock records, the categories and ranges the offers name, 1,000 active conditional offers (vouchers for the coded
ones) and the 20-line basket with the cart's voucher. What existed is replaced. Prints the basket's id and what
applying the offers to it gives."""

from decimal import Decimal

import workload
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand
from django.db import transaction
from oscar.core.loading import get_class, get_model

Applicator = get_class("offer.applicator", "Applicator")
Selector = get_class("partner.strategy", "Selector")
Basket = get_model("basket", "Basket")
Benefit = get_model("offer", "Benefit")
Category = get_model("catalogue", "Category")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Range = get_model("offer", "Range")
StockRecord = get_model("partner", "StockRecord")
Voucher = get_model("voucher", "Voucher")

BENEFIT = {"percentage": Benefit.PERCENTAGE, "fixed_unit": Benefit.FIXED_UNIT, "fixed_price": Benefit.FIXED_PRICE,
           "buy_x_get_y": Benefit.MULTIBUY}  # fmt: skip


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        with transaction.atomic():
            for model in (Basket, Voucher, ConditionalOffer, Condition, Benefit, Range, StockRecord, Product,
                          ProductClass, Partner):  # fmt: skip
                model.objects.all().delete()
            Category.objects.all().delete()
            products = self._catalogue()
            basket = self._offers_and_basket(products)
        basket = Basket.objects.get(pk=basket.pk)
        basket.strategy = Selector().strategy()
        Applicator().apply(basket, AnonymousUser())
        applications = list(basket.offer_applications)
        self.stdout.write(
            f"basket {basket.pk}: {basket.num_lines} lines, {basket.num_items} items, "
            f"{ConditionalOffer.objects.count()} offers ({Voucher.objects.count()} vouchers), "
            f"{len(applications)} offers applied, {sum(a['freq'] for a in applications)} applications, "
            f"subtotal {basket.total_excl_tax_excl_discounts}, total {basket.total_incl_tax}"
        )

    def _catalogue(self) -> dict[int, object]:
        kind = ProductClass.objects.create(name="Bench", slug="bench", requires_shipping=False, track_stock=True)
        partner = Partner.objects.create(name="Bench partner", code="bench")
        products = Product.objects.bulk_create(
            Product(
                structure=Product.STANDALONE,
                product_class=kind,
                title=f"Bench product {n}",
                upc=workload.sku(n),
                slug=f"bench-{n}",
                is_public=True,
            )
            for n in range(workload.PRODUCTS)
        )
        StockRecord.objects.bulk_create(
            StockRecord(
                product=product,
                partner=partner,
                partner_sku=workload.sku(n),
                price_currency="BDT",
                price=workload.unit_price(n),
                num_in_stock=100_000,
            )
            for n, product in enumerate(products)
        )
        return dict(enumerate(products))

    def _offers_and_basket(self, products: dict[int, object]):
        categories = {}
        for number, offer in enumerate(workload.offers()):
            scope = Range.objects.create(name=f"range {number}", slug=f"range-{number}")
            if offer["category"]:
                code = offer["category"]
                if code not in categories:
                    categories[code] = Category.add_root(name=code, slug=code)
                    member = int(code.removeprefix("cat-"))  # below 5,000 products, the one product in it
                    ProductCategory.objects.create(product=products[member], category=categories[code])
                scope.included_categories.add(categories[code])
            else:
                scope.included_products.add(*(products[n] for n in offer["skus"]))
            condition = Condition.objects.create(
                range=scope, type=Condition.COUNT, value=3 if offer["kind"] == "buy_x_get_y" else 1
            )
            benefit = Benefit.objects.create(
                range=scope,
                type=BENEFIT[offer["kind"]],
                value=None if offer["kind"] == "buy_x_get_y" else offer["value"],
                max_affected_items=1 if offer["kind"] == "fixed_unit" else None,
            )
            conditional = ConditionalOffer.objects.create(
                name=offer["name"],
                slug=f"oscar-bench-{number}",
                offer_type=ConditionalOffer.VOUCHER if offer["code"] else ConditionalOffer.SITE,
                exclusive=offer["exclusive"],
                status=ConditionalOffer.OPEN,
                condition=condition,
                benefit=benefit,
                priority=offer["priority"],
            )
            if offer["code"]:
                voucher = Voucher.objects.create(
                    name=offer["code"], code=offer["code"], usage=Voucher.MULTI_USE,
                    start_datetime="2020-01-01T00:00Z", end_datetime="2100-01-01T00:00Z",
                )  # fmt: skip
                voucher.offers.add(conditional)
        basket = Basket.objects.create(status=Basket.OPEN)
        basket.strategy = Selector().strategy()
        for number, quantity in workload.cart():
            basket.add_product(products[number], quantity)
        basket.vouchers.add(Voucher.objects.get(code=workload.entered_code()))
        if basket.total_excl_tax_excl_discounts != sum(
            (workload.unit_price(n) * q for n, q in workload.cart()), Decimal(0)
        ):
            raise AssertionError("the basket's subtotal is not the cart's")
        return basket
