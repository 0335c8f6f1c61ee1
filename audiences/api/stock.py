"""The storefront's stock: one product at one store, or a batch; each return from 0 fires back_in_stock."""

from dataclasses import asdict

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response

from audiences import selectors
from audiences.api import examples
from audiences.api import serializers as s
from audiences.services.stock import StockInput, stock_set
from config.api.views import StorefrontView, get_or_404, validated

RESTOCK_NOTE = (
    " A quantity going from 0 (or from out of stock, for a store that never reported the product) to more "
    "fires one `back_in_stock` event, with properties `sku`, `store` and `product`, for each customer of the "
    "store (or with no home store) who viewed the product (`product_viewed` with that `sku`) in the last 30 "
    "days; journeys enter on it. Setting the same quantity again fires nothing."
)


class ProductStockView(StorefrontView):
    @extend_schema(
        request=s.StockLevelInput,
        responses={200: s.StockChangeOutput},
        examples=[
            OpenApiExample("Three Corollas on the lot", examples.STOCK_INPUT_EXAMPLE, request_only=True),
            OpenApiExample("Back in stock", examples.STOCK_CHANGE_EXAMPLE, response_only=True),
        ],
        description="Sets how many units of the product a store holds." + RESTOCK_NOTE,
    )
    def put(self, request, sku):
        data = validated(s.StockLevelInput, request.data)
        get_or_404(selectors.product_get, f"Unknown product '{sku}'.", sku=sku)
        (change,) = stock_set(levels=[StockInput(sku=sku, store=data["store"], quantity=data["quantity"])])
        return Response(s.StockChangeOutput(asdict(change)).data)

    @extend_schema(
        responses=s.ProductStockOutput,
        examples=[OpenApiExample("Stock at two dealers", examples.PRODUCT_STOCK_EXAMPLE, response_only=True)],
    )
    def get(self, request, sku):
        product = get_or_404(selectors.product_get, f"Unknown product '{sku}'.", sku=sku)
        return Response(s.ProductStockOutput(product).data)


class StockBatchView(StorefrontView):
    @extend_schema(
        request=s.StockBatchInput,
        responses={200: s.StockBatchOutput},
        examples=[
            OpenApiExample("Two models at one dealer", examples.STOCK_BATCH_INPUT_EXAMPLE, request_only=True),
            OpenApiExample("One back in stock", examples.STOCK_BATCH_OUTPUT_EXAMPLE, response_only=True),
        ],
        description="Sets up to 1,000 stock levels in one transaction, all or none." + RESTOCK_NOTE,
    )
    def post(self, request):
        data = validated(s.StockBatchInput, request.data)
        changes = stock_set(levels=[StockInput(**level) for level in data["levels"]])
        return Response(s.StockBatchOutput({"levels": [asdict(change) for change in changes]}).data)
