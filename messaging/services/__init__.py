"""Messaging's write paths, one module per concern (see docs/messaging.md). Import from the module that owns
the function: this package re-exports nothing."""
