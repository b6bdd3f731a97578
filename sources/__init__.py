"""Story, Source, NoiseSpan and Excerpt: models, quote anchoring, admin and resources. May import
companies, dataio and core."""
