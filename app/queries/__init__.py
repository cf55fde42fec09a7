"""Hand-written SQL and statement builders, one module per domain, each statement named."""
