"""Company, Alias, Deal and Participation: models, admin and resources. May import dataio and core;
never sources (excerpts are reached through reverse relations)."""
