"""How upstream's traces spell non-finite floats, which JSON cannot: these strings read as them,
so a string argument spelled like one is written in ttgen's tagged form ({"type": "str", ...})."""

SPECIAL_FLOAT_SPELLINGS = {
    "inf": "inf",
    "+inf": "inf",
    "Infinity": "inf",
    "-inf": "-inf",
    "-Infinity": "-inf",
    "nan": "nan",
    "NaN": "nan",
}
