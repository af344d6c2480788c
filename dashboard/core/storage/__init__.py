"""Where events are kept: the in-memory store, recordings and their record format."""
