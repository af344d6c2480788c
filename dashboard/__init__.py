"""Live event dashboard: watch SSE and WebSocket feeds as cards, charts, alerts and a log."""

__version__ = "0.1.0"

__all__ = ["__version__"]
