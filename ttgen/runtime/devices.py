"""The one open device of a process, opened with the arguments the current case's op needs
(its sweep module's DEVICE_PARAMS, e.g. l1_small_size for conv and pool): reopened only when
the next case needs others, so a run of like cases keeps one device."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ttgen.emu as ttnn
else:
    from ttgen.runtime.backend import load_backend

    ttnn = load_backend()


class Devices:
    def __init__(self, device_id: int = 0) -> None:
        self.device_id = device_id
        self.device: Any = None
        self.params: dict[str, int] = {}

    def get(self, params: Mapping[str, int] | None = None) -> Any:
        wanted = dict(sorted((params or {}).items()))
        if self.device is not None and wanted != self.params:
            self.close()
        if self.device is None:
            self.device = ttnn.open_device(device_id=self.device_id, **wanted)
            self.params = wanted
        return self.device

    def close(self) -> None:
        if self.device is not None:
            device, self.device = self.device, None
            ttnn.close_device(device)
