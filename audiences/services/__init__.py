"""Every write to the audiences data, in a module per concern. The outermost service owns the transaction."""
