"""Operations: settings from the environment, logging, metrics and the app's lifecycle.

``config`` reads settings (pydantic-settings; nothing is read at import time), ``logs`` sets up
plain or JSON logging with the token redacted, ``metrics`` keeps the Prometheus counters, and
``lifecycle`` starts and stops an Application driven by hand (webhook, playground, tests).

May import: nothing else from ``bot``; every other package may import this one.
"""
