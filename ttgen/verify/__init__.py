"""`ttgen verify`: does every generated case reproduce the configuration it was compiled from?

Compile the master into a scratch folder, run the generated tests under the recording plugin
(`ttgen.trace.plugin`, keeping the calls of cases that skip after their call: a mock device
checks output specs, then skips for want of numerics), and compare each case's replayed call
with its source configuration by the hash of its arguments, upstream's config_hash without the
hardware (the replay runs on this machine, not the traced one). Runtime handles and addresses
are out of that hash, as upstream's tracer keeps them out.
"""

from ttgen.verify.compare import ArgumentDiff, argument_diffs, arguments_hash
from ttgen.verify.run import CaseResult, Verification, VerifyError, verify

__all__ = [
    "ArgumentDiff",
    "CaseResult",
    "Verification",
    "VerifyError",
    "argument_diffs",
    "arguments_hash",
    "verify",
]
