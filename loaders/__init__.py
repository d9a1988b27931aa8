"""Source loaders: one subpackage per provenance source, each writing its ``raw`` tables."""
