"""Bug reports from conversations: error detection, fingerprints, reports filed to trackers."""
