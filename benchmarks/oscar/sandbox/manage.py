#!/usr/bin/env python
"""The oscar sandbox's manage.py: run it with oscar's own venv (benchmarks/oscar/README.md)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscar_bench.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
