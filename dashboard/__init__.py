"""Live event dashboard: watch SSE and WebSocket feeds as cards, charts, alerts and a log."""

__version__ = "0.1.0"
LOG_FORMAT = "dashboard: %(name)s: %(message)s"  # the app's, and its feed processes'

__all__ = ["LOG_FORMAT", "__version__"]
