"""Account signals for the CRM (churn, expansion) and account facts read back from it."""
