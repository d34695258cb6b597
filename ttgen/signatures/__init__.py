"""Op signatures from the real ttnn: dump, catalog, overload resolution and binding."""
