"""The one scheduler process (Procfile ``worker``): retries and housekeeping on APScheduler."""
