"""Conversations: which incoming messages open or join one, and how they are recorded."""
