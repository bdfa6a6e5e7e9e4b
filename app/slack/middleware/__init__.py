"""Global Bolt middleware: cross-cutting concerns, applied to every request."""
