"""Surges: seeing a burst coming (volume against its usual level) before agents drown."""
