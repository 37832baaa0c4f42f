"""Pipeline stages. Each is a small class with a `name` and a `process(doc)` method."""
