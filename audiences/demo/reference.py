"""Static facts the demo data is drawn from: countries, stores, the catalog and people's names."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    timezone: str
    utc_offset_hours: int
    languages: tuple[tuple[str, float], ...]  # (language, share); shares add up to 1
    mobile_prefixes: tuple[str, ...]  # E.164 prefixes of mobile numbers, without the subscriber digits
    subscriber_digits: int
    usd_rate: int  # local currency per US dollar, for turning template prices into shelf prices
    shipping_fees: tuple[int, ...]  # whole currency units
    free_shipping_from: int  # whole currency units
    discount_step: int  # discounts are rounded down to this many whole units
    email_domains: tuple[str, ...]


BANGLADESH = Country(
    code="BD",
    currency="BDT",
    timezone="Asia/Dhaka",
    utc_offset_hours=6,
    languages=(("bn", 0.7), ("en", 0.3)),
    # 013..019: Grameenphone, Banglalink, Teletalk, Airtel, Robi.
    mobile_prefixes=tuple(f"+8801{operator}" for operator in "3456789"),
    subscriber_digits=8,
    usd_rate=122,
    shipping_fees=(60, 120),
    free_shipping_from=5_000,
    discount_step=10,
    email_domains=("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "bracu.ac.bd"),
)
TANZANIA = Country(
    code="TZ",
    currency="TZS",
    timezone="Africa/Dar_es_Salaam",
    utc_offset_hours=3,
    languages=(("sw", 0.65), ("en", 0.35)),
    # Vodacom, Airtel, Tigo (Yas), Halotel, TTCL, Zantel ranges.
    mobile_prefixes=tuple(
        f"+255{prefix}" for prefix in ("61", "62", "65", "67", "68", "69", "71", "73", "74", "75", "76", "77", "78")
    ),
    subscriber_digits=7,
    usd_rate=2_600,
    shipping_fees=(5_000, 10_000),
    free_shipping_from=200_000,
    discount_step=1_000,
    email_domains=("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "udsm.ac.tz"),
)
COUNTRIES = {country.code: country for country in (BANGLADESH, TANZANIA)}


@dataclass(frozen=True)
class StoreTemplate:
    code: str
    name: str
    city: str
    country: str
    nearby_cities: tuple[str, ...]  # where some of the store's customers live
    coordinates: tuple[float, float]  # (latitude, longitude) of the mall or street, from a map


# The first four are the default; more --stores take the next ones, then numbered branches.
STORES = (
    StoreTemplate("DHK-01", "Dhaka Bashundhara City", "Dhaka", "BD", ("Gazipur", "Narayanganj", "Savar"),
                  (23.7509, 90.3905)),
    StoreTemplate("CTG-01", "Chattogram GEC Circle", "Chattogram", "BD", ("Cumilla", "Cox's Bazar", "Feni"),
                  (22.3590, 91.8217)),
    StoreTemplate("DAR-01", "Dar es Salaam Mlimani City", "Dar es Salaam", "TZ", ("Bagamoyo", "Kibaha", "Zanzibar"),
                  (-6.7727, 39.2197)),
    StoreTemplate("ARU-01", "Arusha Njiro", "Arusha", "TZ", ("Moshi", "Karatu", "Babati"), (-3.4005, 36.7011)),
    StoreTemplate("DHK-02", "Dhaka Dhanmondi", "Dhaka", "BD", ("Keraniganj", "Tongi"), (23.7461, 90.3742)),
    StoreTemplate("MWZ-01", "Mwanza Rock City Mall", "Mwanza", "TZ", ("Musoma", "Shinyanga"), (-2.5158, 32.9170)),
    StoreTemplate("SYL-01", "Sylhet Zindabazar", "Sylhet", "BD", ("Moulvibazar", "Sunamganj"), (24.8967, 91.8687)),
    StoreTemplate("DOD-01", "Dodoma Jamatini", "Dodoma", "TZ", ("Singida", "Kondoa"), (-6.1731, 35.7472)),
    StoreTemplate("KHL-01", "Khulna Shib Bari", "Khulna", "BD", ("Jashore", "Bagerhat"), (22.8164, 89.5553)),
    StoreTemplate("RAJ-01", "Rajshahi Shaheb Bazar", "Rajshahi", "BD", ("Natore", "Bogura"), (24.3663, 88.5996)),
)  # fmt: skip

# (code, name, parent code); parents come before their children.
CATEGORIES = (
    ("electronics", "Electronics", None),
    ("tv", "TVs", "electronics"),
    ("phones", "Mobile phones", "electronics"),
    ("audio", "Audio", "electronics"),
    ("cables", "Cables and chargers", "electronics"),
    ("laptops", "Laptops", "electronics"),
    ("power", "Power banks, IPS and solar", "electronics"),
    ("home", "Home and living", None),
    ("kitchen", "Kitchen appliances", "home"),
    ("cooling", "Fans and air conditioners", "home"),
    ("refrigeration", "Refrigerators and freezers", "home"),
    ("lighting", "Lighting", "home"),
    ("personal-care", "Personal care", None),
    ("grooming", "Grooming", "personal-care"),
    ("mobility", "Motorbikes and accessories", None),
    ("motorbikes", "Motorbikes", "mobility"),
    ("helmets", "Helmets and riding gear", "mobility"),
)

# How often a category sells, relative to the others.
CATEGORY_POPULARITY = {
    "tv": 4, "phones": 14, "audio": 7, "cables": 16, "laptops": 2, "power": 8, "kitchen": 6,
    "cooling": 4, "refrigeration": 2, "lighting": 9, "grooming": 5, "motorbikes": 0.5, "helmets": 2,
}  # fmt: skip


@dataclass(frozen=True)
class ProductTemplate:
    category: str
    brand: str
    name: str  # "{variant}" is replaced by each variant
    variants: tuple[tuple[str, int], ...]  # (variant, price in US dollars)
    several_per_order: bool = False  # cables and bulbs are bought by two or three
    consumable: bool = False  # bought again and again: still recommended after a purchase


PRODUCT_TEMPLATES = (
    ProductTemplate("tv", "Samsung", 'Crystal UHD {variant}" TV', (("43", 330), ("50", 420), ("55", 560), ("65", 900))),
    ProductTemplate("tv", "LG", 'NanoCell {variant}" TV', (("50", 480), ("55", 620), ("65", 990))),
    ProductTemplate("tv", "Walton", 'Smart LED {variant}" TV', (("32", 170), ("43", 260), ("55", 420))),
    ProductTemplate("tv", "Hisense", 'A6 4K {variant}" TV', (("43", 280), ("50", 350), ("58", 450))),
    ProductTemplate("phones", "Samsung", "Galaxy A{variant}", (("15", 160), ("25", 250), ("35", 330), ("55", 430))),
    ProductTemplate("phones", "Xiaomi", "Redmi Note {variant}", (("13", 190), ("14", 230), ("14 Pro", 320))),
    ProductTemplate("phones", "Tecno", "{variant}", (("Spark 20", 120), ("Spark 30", 150), ("Camon 30", 260))),
    ProductTemplate("phones", "Infinix", "{variant}", (("Hot 40i", 110), ("Hot 50", 140), ("Note 40", 210))),
    ProductTemplate("phones", "Apple", "iPhone {variant}", (("15", 900), ("16", 1_050), ("16 Pro", 1_350))),
    ProductTemplate("phones", "itel", "{variant}", (("A70", 75), ("S24", 110), ("P55", 95))),
    ProductTemplate("audio", "JBL", "{variant} Bluetooth speaker", (("Go 4", 50), ("Flip 6", 130), ("Charge 5", 180))),
    ProductTemplate("audio", "Sony", "{variant} headphones", (("WH-CH520", 60), ("WH-1000XM5", 400))),
    ProductTemplate("audio", "Oraimo", "FreePods {variant} earbuds", (("3", 30), ("4", 40), ("Pro", 55))),
    ProductTemplate("audio", "Anker", "Soundcore {variant}", (("Life P3", 80), ("Motion 300", 80))),
    ProductTemplate("cables", "Anker", "USB-C cable {variant}", (("1 m", 10), ("2 m", 14)), several_per_order=True),
    ProductTemplate("cables", "Baseus", "{variant} charger", (("20 W", 12), ("65 W GaN", 40)), several_per_order=True),
    ProductTemplate(
        "cables", "Oraimo", "{variant} cable", (("Lightning", 8), ("Micro-USB", 4)), several_per_order=True
    ),
    ProductTemplate("cables", "Ugreen", "HDMI 2.1 cable {variant}", (("2 m", 12), ("5 m", 20)), several_per_order=True),
    ProductTemplate("laptops", "HP", "Pavilion 15 {variant}", (("Core i5", 680), ("Core i7", 920))),
    ProductTemplate("laptops", "Lenovo", "IdeaPad Slim 3 {variant}", (("Ryzen 5", 560), ("Core i7", 850))),
    ProductTemplate("laptops", "Asus", "Vivobook 15 {variant}", (("Core i3", 430), ("Core i5", 590))),
    ProductTemplate(
        "power",
        "Oraimo",
        "Traveler {variant} power bank",
        (("10000 mAh", 15), ("20000 mAh", 25)),
        several_per_order=True,
    ),
    ProductTemplate("power", "Sun King", "Home {variant} solar kit", (("60", 90), ("120", 170), ("400", 420))),
    ProductTemplate("power", "Walton", "IPS {variant}", (("650 VA", 160), ("1000 VA", 240))),
    ProductTemplate("power", "Rahimafrooz", "Instant Power {variant}", (("600 VA", 150), ("1200 VA", 280))),
    ProductTemplate("kitchen", "Miyako", "Rice cooker {variant}", (("1.8 L", 25), ("2.8 L", 35))),
    ProductTemplate("kitchen", "Philips", "Blender {variant}", (("HR2041", 45), ("HR3652", 110))),
    ProductTemplate("kitchen", "Panasonic", "Microwave oven {variant}", (("20 L", 110), ("25 L", 160))),
    ProductTemplate("kitchen", "Vision", "Electric kettle {variant}", (("1.5 L", 12), ("1.8 L", 16))),
    ProductTemplate("cooling", "Walton", 'Ceiling fan {variant}"', (("48", 30), ("56", 35)), several_per_order=True),
    ProductTemplate("cooling", "Gree", "Split AC {variant}", (("1 ton", 450), ("1.5 ton", 560), ("2 ton", 720))),
    ProductTemplate("cooling", "Vision", 'Rechargeable fan {variant}"', (("12", 30), ("16", 45))),
    ProductTemplate("refrigeration", "Walton", "Refrigerator {variant}", (("250 L", 330), ("350 L", 450))),
    ProductTemplate("refrigeration", "Hisense", "Chest freezer {variant}", (("200 L", 300), ("300 L", 390))),
    ProductTemplate("refrigeration", "Samsung", "Side-by-side {variant}", (("617 L", 1_200),)),
    ProductTemplate(
        "lighting", "Philips", "LED bulb {variant}", (("9 W", 2), ("12 W", 3)), several_per_order=True, consumable=True
    ),
    ProductTemplate(
        "lighting",
        "Super Star",
        "LED tube {variant}",
        (("18 W", 4), ("36 W", 6)),
        several_per_order=True,
        consumable=True,
    ),
    ProductTemplate("lighting", "Sun King", "Pico {variant} solar lantern", (("Plus", 12), ("Pro", 20))),
    ProductTemplate("grooming", "Philips", "Beard trimmer {variant}", (("BT1232", 20), ("BT3206", 35))),
    ProductTemplate("grooming", "Remington", "Hair dryer {variant}", (("D3010", 25), ("AC5999", 60))),
    ProductTemplate("grooming", "Kemei", "Hair clipper {variant}", (("KM-809A", 10), ("KM-1990", 18))),
    ProductTemplate("motorbikes", "Bajaj", "Pulsar {variant}", (("150", 1_600), ("N160", 1_900))),
    ProductTemplate("motorbikes", "TVS", "Apache RTR {variant}", (("160 4V", 1_800), ("200 4V", 2_200))),
    ProductTemplate("motorbikes", "Honda", "{variant}", (("Livo 110", 1_300), ("CB Hornet 160R", 1_900))),
    ProductTemplate("helmets", "Vega", "Off Road helmet {variant}", (("M", 30), ("L", 30), ("XL", 32))),
    ProductTemplate("helmets", "Studds", "Ninja Elite helmet {variant}", (("M", 25), ("L", 25))),
)
COLOURS = ("Black", "White", "Blue", "Silver", "Red", "Green", "Gold", "Grey")

# Names as (Latin spelling, local script); Swahili names are written in the Latin alphabet.
BANGLADESH_FIRST_NAMES = (
    ("Rahim", "রহিম"), ("Karim", "করিম"), ("Tanvir", "তানভীর"), ("Arif", "আরিফ"), ("Sabbir", "সাব্বির"),
    ("Nayeem", "নাঈম"), ("Rakib", "রাকিব"), ("Imran", "ইমরান"), ("Mahmud", "মাহমুদ"), ("Shuvo", "শুভ"),
    ("Anik", "অনিক"), ("Sajid", "সাজিদ"), ("Fahim", "ফাহিম"), ("Rafiq", "রফিক"), ("Jamal", "জামাল"),
    ("Fatema", "ফাতেমা"), ("Ayesha", "আয়েশা"), ("Nusrat", "নুসরাত"), ("Sumaiya", "সুমাইয়া"), ("Tahmina", "তাহমিনা"),
    ("Sharmin", "শারমিন"), ("Farzana", "ফারজানা"), ("Mitu", "মিতু"), ("Rumana", "রুমানা"), ("Jannat", "জান্নাত"),
    ("Tania", "তানিয়া"), ("Sadia", "সাদিয়া"), ("Priya", "প্রিয়া"), ("Anika", "আনিকা"), ("Moushumi", "মৌসুমী"),
)  # fmt: skip
BANGLADESH_LAST_NAMES = (
    ("Hossain", "হোসেন"), ("Rahman", "রহমান"), ("Islam", "ইসলাম"), ("Ahmed", "আহমেদ"), ("Akter", "আক্তার"),
    ("Khatun", "খাতুন"), ("Chowdhury", "চৌধুরী"), ("Hasan", "হাসান"), ("Uddin", "উদ্দিন"), ("Sarker", "সরকার"),
    ("Das", "দাস"), ("Begum", "বেগম"), ("Miah", "মিয়া"), ("Talukder", "তালুকদার"), ("Barua", "বড়ুয়া"),
    ("Roy", "রায়"), ("Karim", "করিম"), ("Siddique", "সিদ্দিকী"), ("Alam", "আলম"), ("Mondal", "মণ্ডল"),
)  # fmt: skip
TANZANIA_FIRST_NAMES = (
    "Juma", "Baraka", "Hamisi", "Salim", "Emmanuel", "Joseph", "Godfrey", "Rashidi", "Daudi", "Frank",
    "Abdallah", "Msafiri", "Hassan", "Elia", "Omari", "Amina", "Neema", "Rehema", "Mwanaisha", "Zawadi",
    "Upendo", "Grace", "Halima", "Faraja", "Subira", "Imani", "Esther", "Mwajuma", "Happiness", "Asha",
)  # fmt: skip
TANZANIA_LAST_NAMES = (
    "Mwakyusa", "Kimaro", "Massawe", "Mushi", "Lyimo", "Mrema", "Mollel", "Mwita", "Shirima", "Kisanga",
    "Nyerere", "Mbwambo", "Swai", "Temba", "Mkapa", "Mwinyi", "Laizer", "Kombo", "Njau", "Makame",
)  # fmt: skip

ACQUISITION_CHANNELS = ("walk_in", "facebook", "google", "referral", "whatsapp", "instagram", "daraz", "radio")
ORDER_CHANNELS = (("store", 0.6), ("web", 0.2), ("app", 0.12), ("phone", 0.05), ("whatsapp", 0.03))
# Dealership and restaurant flavour in a few profiles: a trade-in vehicle, a food-court preference.
VEHICLES = (("Toyota", "Axio"), ("Toyota", "Premio"), ("Honda", "Vezel"), ("Suzuki", "Alto"), ("Bajaj", "RE"))
DIETARY = ("halal", "vegetarian", "no_beef", "no_pork")
CAMPAIGNS = (
    "eid-ul-fitr-sale", "eid-ul-adha-sale", "pohela-boishakh", "saba-saba", "black-friday", "back-to-school",
    "ramadan-nights", "new-year-deals", "world-cup-tv", "monsoon-fans",
)  # fmt: skip
COMPLAINT_REASONS = ("late_delivery", "damaged_item", "wrong_item", "warranty_claim", "refund_delay", "rude_staff")
CHANNEL_SOURCES = {
    "sms": ("pos_signup", "web_signup", "sms_keyword"),
    "email": ("web_signup", "newsletter_form", "app_signup"),
    "whatsapp": ("whatsapp_optin", "pos_signup"),
}
