import copy

from django.conf import settings
from rest_framework import serializers

from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error, quantize
from audiences.models import ConsentChannel, ConsentStatus, ConsentTopic, Event
from audiences.order_return_steps import return_answer_fields
from audiences.profile import profile_sections

CODE_FIELD = {"max_length": 64}


class CurrencyField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(min_length=3, max_length=3, **kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data).upper()
        if code not in CURRENCY_EXPONENTS:
            raise serializers.ValidationError(f"Unknown currency '{code}'; use an ISO 4217 code such as BDT or TZS.")
        return code


def latitude_field(**kwargs):
    return serializers.FloatField(
        min_value=-90, max_value=90, help_text="Decimal degrees, -90 (south) to 90 (north).", **kwargs
    )


def longitude_field(**kwargs):
    return serializers.FloatField(
        min_value=-180, max_value=180, help_text="Decimal degrees, -180 (west) to 180 (east).", **kwargs
    )


class StoreInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    timezone = serializers.CharField(max_length=64)
    currency = CurrencyField()
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="ISO 3166 code whose public holidays apply (BD); left out: unchanged (new: its currency's).",
    )
    latitude = latitude_field(required=False, allow_null=True)
    longitude = longitude_field(required=False, allow_null=True)


class StoreOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    timezone = serializers.CharField()
    currency = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 code whose public holidays apply; empty: none.")
    latitude = latitude_field(allow_null=True)
    longitude = longitude_field(allow_null=True)


class CategoryInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    parent = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True, default=None)


class CategoryOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(source="parent.code", default=None, allow_null=True)
    path = serializers.CharField()


class ProductInput(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    category = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True, default=None)
    price = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0)
    currency = CurrencyField()
    in_stock = serializers.BooleanField(required=False, default=True)
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    consumable = serializers.BooleanField(
        required=False, default=False, help_text="Bought again and again: still recommended to who bought it."
    )

    def validate(self, attrs):
        if message := minor_unit_error(attrs["price"], attrs["currency"]):
            raise serializers.ValidationError({"price": [message]})
        return attrs


class ProductOutput(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField(source="category.code", default=None, allow_null=True)
    brand = serializers.CharField()
    price = serializers.SerializerMethodField()
    currency = serializers.CharField()
    in_stock = serializers.BooleanField()
    consumable = serializers.BooleanField()

    def get_price(self, product) -> str:
        return str(quantize(product.price, product.currency))


class RecommendationsQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=settings.RECOMMENDATIONS_STORED, default=10)


class RecommendationOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    category = serializers.CharField(source="product.category.code", default=None, allow_null=True)
    brand = serializers.CharField(source="product.brand")
    price = serializers.SerializerMethodField()
    currency = serializers.CharField(source="product.currency")
    score = serializers.FloatField(help_text="Summed cosine similarity to what they bought; 0 for a popular pick.")
    source = serializers.ChoiceField(choices=["co_purchase", "popular"])

    def get_price(self, recommendation) -> str:
        return str(quantize(recommendation.product.price, recommendation.product.currency))


class RecommendationsOutput(serializers.Serializer):
    customer = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="When the nightly run computed them.")
    recommendations = RecommendationOutput(many=True)


class CustomerInput(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    language = serializers.CharField(max_length=8, required=False)
    timezone = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)
    store = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    signed_up_at = serializers.DateTimeField(required=False, allow_null=True)
    attributes = serializers.DictField(required=False)
    latitude = latitude_field(required=False, allow_null=True)
    longitude = longitude_field(required=False, allow_null=True)
    postcode = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Without coordinates, the customer is placed at the centre of this postcode area, once imported.",
    )


class ConsentOutput(serializers.Serializer):
    channel = serializers.CharField()
    topic = serializers.CharField()
    status = serializers.CharField()
    source = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class CustomerBaseOutput(serializers.Serializer):
    external_id = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    language = serializers.CharField()
    timezone = serializers.CharField()
    store = serializers.CharField(source="store.code", default=None, allow_null=True)
    city = serializers.CharField()
    signed_up_at = serializers.DateTimeField(allow_null=True)
    attributes = serializers.DictField()
    latitude = latitude_field(allow_null=True)
    longitude = longitude_field(allow_null=True)
    postcode = serializers.CharField()
    location_source = serializers.CharField(
        help_text="Where latitude and longitude come from: coordinates, postcode (the area's centre) or empty."
    )
    orders_count = serializers.IntegerField()
    currency = serializers.SerializerMethodField(
        help_text="The currency of total_spent (the home store's, else the first order's); null before any."
    )
    total_spent = serializers.CharField(
        source="total_spent_display",
        help_text="Placed orders in `currency`, with that currency's decimals; orders in another currency are not "
        "added in.",
    )
    first_order_at = serializers.DateTimeField(allow_null=True)
    last_order_at = serializers.DateTimeField(allow_null=True)
    erased_at = serializers.DateTimeField(
        allow_null=True, help_text="When the customer's personal data was erased at their request; null: never."
    )

    def get_currency(self, customer) -> str | None:
        return customer.currency or None


SEGMENTS_FIELD = serializers.ListField(
    child=serializers.CharField(),
    help_text="Codes of the segments the customer is in, current about a second after a change to their "
    "data; rules that move with time alone (within_days) move at the nightly refresh.",
)


class CustomerOutput(CustomerBaseOutput):
    """The customer, every registered profile section (audiences' own: `segments`) and their consents."""

    consents = ConsentOutput(many=True)

    def get_fields(self):
        fields = super().get_fields()
        consents = fields.pop("consents")
        # Read when the schema is built, after every app has registered its sections.
        sections = {key: copy.deepcopy(section.schema) for key, section in profile_sections().items()}
        return {**fields, **sections, "consents": consents}


class ConsentInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ConsentChannel.choices)
    topic = serializers.ChoiceField(choices=ConsentTopic.choices, required=False, default=ConsentTopic.MARKETING)
    status = serializers.ChoiceField(choices=[ConsentStatus.OPTED_IN, ConsentStatus.OPTED_OUT])
    source = serializers.CharField(max_length=64)
    recorded_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class EventInput(serializers.Serializer):
    customer = serializers.CharField(max_length=64)
    type = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]+$", max_length=64, error_messages={"invalid": "Use letters, digits and _ . : - only."}
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    properties = serializers.DictField(required=False, default=dict)
    idempotency_key = serializers.CharField(max_length=128, required=False, allow_null=True, default=None)


MAX_BATCH_EVENTS = 1000


class EventBatchInput(serializers.Serializer):
    events = serializers.ListField(child=EventInput(), allow_empty=False)

    def to_internal_value(self, data):
        events = data.get("events") if isinstance(data, dict) else None
        if isinstance(events, list) and len(events) > MAX_BATCH_EVENTS:
            raise serializers.ValidationError(
                {"events": [f"At most {MAX_BATCH_EVENTS} events per batch; this one has {len(events)}."]}
            )
        return super().to_internal_value(data)


class EventOutput(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.external_id")

    class Meta:
        model = Event
        fields = ["id", "customer", "type", "occurred_at", "properties", "idempotency_key"]


class EventBatchOutput(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="Events newly recorded by this batch.")
    duplicates = serializers.IntegerField(
        help_text="Events whose idempotency_key was already recorded; they are returned as first recorded."
    )
    events = EventOutput(many=True, help_text="Every event of the batch, in the order sent.")


class SegmentInput(serializers.Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    rules = serializers.JSONField()


class SegmentPatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    rules = serializers.JSONField(required=False)


class SegmentOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    rules = serializers.JSONField()
    predefined = serializers.BooleanField()
    count = serializers.IntegerField(source="member_count", allow_null=True)
    refreshed_at = serializers.DateTimeField(allow_null=True)


class MembersPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = serializers.ListField(child=serializers.CharField(), help_text="Customer external ids.")


class PreviewInput(serializers.Serializer):
    rules = serializers.JSONField()


class PreviewOutput(serializers.Serializer):
    count = serializers.IntegerField()
    sample = serializers.ListField(child=serializers.CharField())


class ReturnLineInput(serializers.Serializer):
    line_no = serializers.IntegerField(min_value=1, max_value=32_767, help_text="The line's number in the order.")
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)


class OrderReturnInput(serializers.Serializer):
    return_id = serializers.CharField(max_length=64, help_text="The shop's id for the return: sending it again "
                                      "records nothing twice.")  # fmt: skip
    lines = ReturnLineInput(many=True, allow_empty=False, max_length=1_000)
    returned_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReturnedLineOutput(serializers.Serializer):
    line_no = serializers.IntegerField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    amount = serializers.CharField(help_text="What the returned quantity was paid, after its discounts.")


class OrderReturnOutput(serializers.Serializer):
    """The return, and the fields the registered return steps add (loyalty: `points_reversed`)."""

    order = serializers.CharField()
    return_id = serializers.CharField()
    currency = serializers.CharField()
    amount = serializers.CharField()
    returned_at = serializers.DateTimeField()
    lines = ReturnedLineOutput(many=True)

    def get_fields(self):
        # Read when the schema is built, after every app has registered its steps.
        steps = {name: copy.deepcopy(schema) for name, schema in return_answer_fields().items()}
        return {**super().get_fields(), **steps}


class DataSubjectRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="export or erasure.")
    customer = serializers.CharField(source="customer.external_id")
    status = serializers.CharField(help_text="queued, running, done or failed.")
    requested_by = serializers.CharField(source="requested_by.username", default=None, allow_null=True)
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="Why it failed; empty otherwise.")
    download = serializers.SerializerMethodField(help_text="A background export: where its file is, once done.")

    def get_download(self, request) -> str | None:
        if request.kind != "export" or request.export_job_id is None:
            return None
        return f"/api/v1/customers/{request.customer.external_id}/export?request={request.pk}"


class StockLevelInput(serializers.Serializer):
    store = serializers.CharField(max_length=64, help_text="The store's code.")
    quantity = serializers.IntegerField(min_value=0, max_value=10**9, help_text="Units on hand; 0 is out of stock.")


class StockBatchLevelInput(StockLevelInput):
    sku = serializers.CharField(max_length=64)


class StockBatchInput(serializers.Serializer):
    levels = serializers.ListField(child=StockBatchLevelInput(), min_length=1, max_length=1000)


class StockChangeOutput(serializers.Serializer):
    sku = serializers.CharField()
    store = serializers.CharField()
    quantity = serializers.IntegerField()
    restocked = serializers.BooleanField(help_text="Back from 0 (or from out of stock): back_in_stock was fired.")
    back_in_stock_events = serializers.IntegerField(help_text="Customers told: recent viewers at this store.")


class StockBatchOutput(serializers.Serializer):
    levels = StockChangeOutput(many=True)


class StockLevelOutput(serializers.Serializer):
    store = serializers.CharField(source="store.code")
    quantity = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class ProductStockOutput(serializers.Serializer):
    sku = serializers.CharField()
    in_stock = serializers.BooleanField(help_text="In stock at some store (or as the catalog says, without levels).")
    levels = StockLevelOutput(many=True, source="stock_levels.all")


class VehicleInput(serializers.Serializer):
    customer = serializers.CharField(max_length=64, help_text="The owner's external id.")
    make = serializers.CharField(max_length=64)
    model = serializers.CharField(max_length=64)
    year = serializers.IntegerField(min_value=0, max_value=9999, help_text="The model year.")
    status = serializers.ChoiceField(choices=["owned", "sold"], required=False, default="owned")
    trim = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)
    mileage = serializers.IntegerField(min_value=0, max_value=10**9, required=False, allow_null=True,
                                       help_text="Kilometres on the odometer.")  # fmt: skip
    mileage_read_at = serializers.DateField(required=False, allow_null=True, help_text="Today if not given.")
    purchased_at = serializers.DateField(required=False, allow_null=True)
    store = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True,
                                  help_text="The dealer's store code.")  # fmt: skip
    last_service_at = serializers.DateField(required=False, allow_null=True)
    next_service_due = serializers.DateField(required=False, allow_null=True)
    next_service_mileage = serializers.IntegerField(min_value=0, max_value=10**9, required=False, allow_null=True)
    warranty_ends = serializers.DateField(required=False, allow_null=True)


class VehicleOutput(serializers.Serializer):
    vin = serializers.CharField()
    customer = serializers.CharField(source="owner.external_id", default=None, allow_null=True)
    status = serializers.CharField()
    make = serializers.CharField()
    model = serializers.CharField()
    year = serializers.IntegerField()
    trim = serializers.CharField()
    mileage = serializers.IntegerField(allow_null=True)
    mileage_read_at = serializers.DateField(allow_null=True)
    purchased_at = serializers.DateField(allow_null=True)
    store = serializers.CharField(source="store.code", default=None, allow_null=True)
    last_service_at = serializers.DateField(allow_null=True)
    next_service_due = serializers.DateField(allow_null=True)
    next_service_mileage = serializers.IntegerField(allow_null=True)
    warranty_ends = serializers.DateField(allow_null=True)


class VehicleOwnershipOutput(serializers.Serializer):
    customer = serializers.CharField(source="customer.external_id", default=None, allow_null=True)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField()


class VehicleDetailOutput(VehicleOutput):
    """The vehicle and everyone who owned it, first owner first."""

    ownerships = VehicleOwnershipOutput(many=True)


VEHICLES_FIELD = VehicleOutput(
    many=True, help_text="The vehicles the customer owns, or owned last when sold (status), newest model first."
)
