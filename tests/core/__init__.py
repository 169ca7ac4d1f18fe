"""The core without a messenger: storage on temporary SQLite files, `Core.handle`, the sender."""
