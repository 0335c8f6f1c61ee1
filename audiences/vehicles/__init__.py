"""Vehicles customers own (the dealership's assets): the VIN rule, their writes, reads and segment fields."""
