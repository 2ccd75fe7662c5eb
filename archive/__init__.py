"""The catalog: what the archive is (schema, storage, text, search, export)."""
