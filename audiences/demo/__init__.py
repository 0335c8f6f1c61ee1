"""Deterministic demo data for `python manage.py seed_demo`.

`reference` holds the static facts (stores, catalog templates, names), `generator` turns a seed
into rows (pure, no I/O), `writers` stream rows into the database (COPY on PostgreSQL, batched
INSERTs on SQLite) and `seeding` ties them together.
"""
