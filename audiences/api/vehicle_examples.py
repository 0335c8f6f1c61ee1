"""The vehicles' OpenAPI examples, apart from examples.py: the customer profile's `vehicles` section is
registered with VEHICLE_EXAMPLE in AppConfig.ready(), before examples.py may build the customer's example."""

VEHICLE_EXAMPLE = {
    "vin": "JTDBR32E720123456",
    "customer": "C-1001",
    "status": "owned",
    "make": "Toyota",
    "model": "Corolla",
    "year": 2017,
    "trim": "GLi",
    "mileage": 84200,
    "mileage_read_at": "2026-11-20",
    "purchased_at": "2019-05-02",
    "store": "DLR-X",
    "last_service_at": "2026-05-20",
    "next_service_due": "2026-12-15",
    "next_service_mileage": 90000,
    "warranty_ends": "2027-05-02",
}

VEHICLE_INPUT_EXAMPLE = {
    "customer": "C-1001",
    "make": "Toyota",
    "model": "Corolla",
    "year": 2017,
    "trim": "GLi",
    "mileage": 84200,
    "purchased_at": "2019-05-02",
    "store": "DLR-X",
    "next_service_due": "2026-12-15",
    "warranty_ends": "2027-05-02",
}
VEHICLE_OUTPUT_EXAMPLE = {
    **VEHICLE_EXAMPLE,
    "ownerships": [
        {"customer": "C-0877", "started_at": "2019-05-02T10:00:00Z", "ended_at": "2024-02-11T09:30:00Z",
         "source": "csv"},
        {"customer": "C-1001", "started_at": "2024-02-11T09:30:00Z", "ended_at": None, "source": "api"},
    ],
}  # fmt: skip
