"""The browser sandbox and the demo: the real app against the local stand-ins, for a checkout.

Not part of the product package: ``escalation-bot sandbox``, ``demo``, ``start`` without Slack
credentials and ``seed-demo-data`` reach it through :mod:`sandbox.commands`.
"""
