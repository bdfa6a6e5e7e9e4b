"""What the domain services share: the bot's replies in a customer thread as plain data, and who
may act for a conversation's customer."""
