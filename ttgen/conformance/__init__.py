"""Conformance of ttgen's emulator with the real ttnn: answers recorded from the real wheel on a
mock device (tests/conformance/fixtures), compared case by case."""
