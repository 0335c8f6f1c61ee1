from django.contrib import admin

from audiences import services
from audiences.models import Category, Consent, ConsentRecord, Customer, Event, Order, OrderLine, Product, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "currency", "timezone"]
    list_filter = ["currency", "city"]
    search_fields = ["code", "name", "city"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "path"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        category, _ = services.category_upsert(
            code=obj.code, name=obj.name, parent_code=obj.parent.code if obj.parent else None
        )
        obj.pk, obj.path = category.pk, category.path


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "brand", "price", "currency", "in_stock"]
    list_filter = ["in_stock", "currency", "brand", "category"]
    search_fields = ["sku", "name", "brand"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["channel", "topic", "status", "source", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "full_name",
        "email",
        "phone",
        "city",
        "store",
        "language",
        "orders_count",
        "total_spent",
        "last_order_at",
    ]
    list_filter = ["language", "store", "city"]
    search_fields = ["external_id", "email", "phone", "first_name", "last_name"]
    list_select_related = ["store"]
    date_hierarchy = "signed_up_at"
    readonly_fields = ["total_spent", "orders_count", "first_order_at", "last_order_at", "created_at", "updated_at"]
    inlines = [ConsentInline]
    show_full_result_count = False


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["line_no", "sku", "quantity", "unit_price", "discount", "total"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "customer", "store", "channel", "placed_at", "currency", "total", "status"]
    list_filter = ["status", "channel", "currency", "store"]
    search_fields = ["external_id", "customer__external_id"]
    list_select_related = ["customer", "store"]
    date_hierarchy = "placed_at"
    raw_id_fields = ["customer"]
    inlines = [OrderLineInline]
    actions = ["cancel_orders"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # orders come from the shop (POST /api/v1/orders or an import)

    def has_change_permission(self, request, obj=None):
        return False  # the admin cancels orders, never edits them

    def has_cancel_permission(self, request):
        return request.user.has_perm("audiences.change_order")

    @admin.action(description="Cancel selected orders", permissions=["cancel"])
    def cancel_orders(self, request, queryset):
        cancelled = sum(services.order_cancel(order=order)[1] for order in queryset)
        self.message_user(request, f"Cancelled {cancelled} order(s); already cancelled ones were left as they were.")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["type", "customer", "occurred_at"]
    list_filter = ["type"]
    search_fields = ["customer__external_id", "type", "idempotency_key"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["customer"]
    show_full_result_count = False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["customer", "channel", "topic", "status", "source", "recorded_at"]
    list_filter = ["channel", "topic", "status", "source"]
    search_fields = ["customer__external_id", "customer__email", "customer__phone"]
    raw_id_fields = ["customer"]

    def has_change_permission(self, request, obj=None):
        return False  # the history is append-only

    def save_model(self, request, obj, form, change):
        record = services.consent_record(
            customer=obj.customer,
            channel=obj.channel,
            topic=obj.topic,
            status=obj.status,
            source=obj.source or "admin",
            recorded_at=obj.recorded_at,
        )
        obj.pk = record.pk


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["customer", "channel", "topic", "status", "source", "recorded_at"]
    list_filter = ["channel", "topic", "status"]
    search_fields = ["customer__external_id", "customer__email", "customer__phone"]
    raw_id_fields = ["customer"]

    def has_add_permission(self, request):
        return False  # consent changes go through the history (ConsentRecord) via the API or import

    def has_change_permission(self, request, obj=None):
        return False
