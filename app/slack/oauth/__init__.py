"""Installing the app in several workspaces: OAuth, installation and state stores, token
rotation serialised through the database."""
