"""`ttgen repro`: one generated case as a standalone script for a kernel engineer (ttnn, numpy
and torch only): the same inputs, the same call, the output spec and golden checks."""

from ttgen.repro.find import CaseNotFound, find_case
from ttgen.repro.script import ReproError, repro_script

__all__ = ["CaseNotFound", "ReproError", "find_case", "repro_script"]
