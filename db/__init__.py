"""hubbot's shared database: models, engine factory, repositories and migrations."""
