"""Built-in output plugins: reports, receipts and the shared template environment."""
