"""Local stand-ins for the vendor APIs: HubSpot, Salesforce, Linear and Jira."""
