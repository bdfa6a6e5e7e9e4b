"""Storage: engine and sessions, tables, migrations, and queries taking ``*, session``."""
