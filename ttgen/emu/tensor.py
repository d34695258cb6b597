"""Emulated ttnn tensors: exact host values (quantized as ttnn stores them), ttnn's shapes,
memory configs and storage, and device buffers that take real (emulated) memory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ttgen.emu.numerics import cast_int, quantize
from ttgen.emu.topology import MeshShape, TensorTopology, Topology, coords_for
from ttgen.emu.types import DRAM_MEMORY_CONFIG, MemoryConfig, Shape
from ttgen.facts.enums import BufferType, DataType, Layout, StorageType
from ttgen.facts.validity import TILE, ShardLayout, grid_error, layout_error, shard_error

if TYPE_CHECKING:  # a device makes tensors' allocator: at run time only it imports the other
    from ttgen.emu.device import MeshDevice
    from ttgen.emu.mesh import TensorToMesh

SINGLE = Topology((1,), (None,), ((0, 0),))  # the label of a one-device tensor (probe)

FLOATS = {DataType.FLOAT32, DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B}
# bytes of one 32x32 tile / one element, per dtype (reference §2.7)
TILE_BYTES = {
    DataType.BFLOAT16: 2048,
    DataType.FLOAT32: 4096,
    DataType.INT32: 4096,
    DataType.UINT32: 4096,
    DataType.UINT16: 2048,
    DataType.UINT8: 1024,
    DataType.BFLOAT8_B: 1088,
    DataType.BFLOAT4_B: 576,
}
ELEMENT_BYTES = {
    DataType.BFLOAT16: 2,
    DataType.FLOAT32: 4,
    DataType.INT32: 4,
    DataType.UINT32: 4,
    DataType.UINT16: 2,
    DataType.UINT8: 1,
}
INT_TARGETS = {
    DataType.INT32: (np.int32, 32),
    DataType.UINT32: (np.uint32, 32),
    DataType.UINT16: (np.uint16, 16),
    DataType.UINT8: (np.uint8, 8),
}


def fatal(message: str) -> RuntimeError:
    """ttnn's C++ checks surface as RuntimeError with the message after `info:`."""
    return RuntimeError(f"TT_FATAL @ ttgen.emu\ninfo:\n{message}")


def padded_dims(shape: tuple[int, ...], layout: Layout) -> tuple[int, ...]:
    """TILE pads the last two dims to 32 (a rank-1 shape becomes rank 2); ROW_MAJOR is as is."""
    if layout is not Layout.TILE:
        return shape
    dims = list(shape) if len(shape) >= 2 else [1, *shape] if shape else [1, 1]
    dims[-1] = -(-dims[-1] // TILE) * TILE
    dims[-2] = -(-dims[-2] // TILE) * TILE
    return tuple(dims)


def is_broadcast_zero(a: np.ndarray[Any, np.dtype[Any]]) -> bool:
    return bool(a.size) and not any(a.strides) and a.flat[0] == 0 and not np.signbit(a.flat[0])


def all_zero(a: np.ndarray[Any, np.dtype[Any]]) -> bool:
    """+0 everywhere. The two probes first keep the full scan off ordinary data."""
    if not a.size or a.dtype.kind not in "fiub":
        return False
    if is_broadcast_zero(a):
        return True
    if a.flat[0] != 0 or a.flat[-1] != 0 or a.size < 4096:
        return False
    if a.dtype.kind == "f" and a.flags.c_contiguous:  # +0 is all-zero bits; -0 is not
        return not a.view(f"u{a.itemsize}").any()
    return not a.any() and not (a.dtype.kind == "f" and np.signbit(a).any())


def read(t: Tensor) -> np.ndarray[Any, np.dtype[Any]]:
    """An op's view of a tensor's values: float32 for float dtypes, int64 otherwise, a fresh
    array, except that zeros stay one broadcast element (a model-sized zero input costs nothing)."""
    kind = np.float32 if t.dtype in FLOATS else np.int64
    if is_broadcast_zero(t._values):
        return np.broadcast_to(np.zeros((), dtype=kind), t._values.shape)
    return t.to_numpy().astype(kind, copy=False)


def content_key(a: np.ndarray[Any, np.dtype[Any]]) -> object:
    """Arrays that are the same data: one object, or zeros of one shape and dtype (device
    pieces of a zero input are distinct views of the same nothing)."""
    return ("zero", a.shape, a.dtype.str) if is_broadcast_zero(a) else id(a)


def store(values: Any, dtype: DataType, layout: Layout) -> np.ndarray[Any, np.dtype[Any]]:
    """What ttnn keeps for host data converted to dtype (bit-exact, ttgen.emu.numerics)."""
    a = np.asarray(values)
    tile = layout is Layout.TILE
    if all_zero(a):
        # zeros (a spec-only probe, a mesh case's inputs): zero in every dtype and at every
        # position, kept as one broadcast element so a model-sized input costs no memory
        zero = np.zeros((), dtype=np.float32 if dtype in FLOATS else INT_TARGETS[dtype][0])
        return np.broadcast_to(zero, a.shape)
    if dtype in FLOATS:
        return quantize(a.astype(np.float32), dtype.name, tile)
    if np.issubdtype(a.dtype, np.integer):
        # integer host data wraps modulo the width (recorded answers, tests/conformance)
        target, bits = INT_TARGETS[dtype]
        wide = a.astype(np.int64)
        return (wide.astype(np.int32) if dtype is DataType.INT32 else wide % (1 << bits)).astype(target)
    return cast_int(a.astype(np.float32), dtype.name, tile)


class Tensor:
    """`ttnn.Tensor(ndarray, dtype, device, layout)`; host unless created on a device."""

    def __init__(
        self,
        data: Any,
        dtype: DataType | None = None,
        device: MeshDevice | None = None,
        layout: Layout | None = None,
        memory_config: MemoryConfig | None = None,
        *,
        mesh_mapper: TensorToMesh | None = None,
    ) -> None:
        values = np.asarray(data)
        if dtype is None:
            dtype = DataType.FLOAT32 if values.dtype.kind == "f" else DataType.INT32
        layout = layout or Layout.ROW_MAJOR
        if dtype in (DataType.BFLOAT8_B, DataType.BFLOAT4_B) and layout is not Layout.TILE:
            raise fatal("Layout must be Layout::TILE for bfloat8_b or bfloat4_b!")
        # a mesh tensor: one array per device (ttgen.emu.mesh), each converted as ttnn converts a shard
        self._shards: list[np.ndarray[Any, np.dtype[Any]]] | None = None
        self._topology: Topology | None = None
        if mesh_mapper is not None:
            pieces, self._topology = mesh_mapper.split(values)
            stored: dict[object, np.ndarray[Any, np.dtype[Any]]] = {}  # a replicated piece is one array: store it once
            for p in pieces:
                if content_key(p) not in stored:
                    stored[content_key(p)] = store(p, dtype, layout)
            self._shards = [stored[content_key(p)] for p in pieces]
            self._values = self._shards[0]
        else:
            self._values = store(values, dtype, layout)
        self.dtype = dtype
        self.layout = layout
        self._memory_config = DRAM_MEMORY_CONFIG
        self._device: MeshDevice | None = None
        self._buffer: Buffer | None = None
        if device is not None:
            self._place(device, memory_config or DRAM_MEMORY_CONFIG)

    @classmethod
    def _from_values(cls, values: np.ndarray[Any, np.dtype[Any]], dtype: DataType, layout: Layout) -> Tensor:
        t = cls.__new__(cls)
        t._values = values
        t.dtype = dtype
        t.layout = layout
        t._memory_config = DRAM_MEMORY_CONFIG
        t._device = None
        t._buffer = None
        t._shards = None
        t._topology = None
        return t

    # ----------------------------------------------------------------- ttnn's surface
    @property
    def shape(self) -> Shape:
        return Shape(self._values.shape)

    @property
    def padded_shape(self) -> Shape:
        dims = padded_dims(tuple(self._values.shape), self.layout)
        spec = self._memory_config.shard_spec
        if self.layout is Layout.ROW_MAJOR and spec is not None and self._device is not None and dims:
            # a sharded ROW_MAJOR tensor aligns its width to the shard width
            dims = (*dims[:-1], -(-dims[-1] // spec.shape[1]) * spec.shape[1])
        return Shape(dims)

    def memory_config(self) -> MemoryConfig:
        return self._memory_config

    def storage_type(self) -> StorageType:
        return StorageType.DEVICE if self._device is not None else StorageType.HOST

    def device(self) -> MeshDevice | None:
        return self._device

    def is_sharded(self) -> bool:
        return self._device is not None and self._memory_config.is_sharded()

    def is_allocated(self) -> bool:
        return self._buffer is None or not self._buffer.freed

    def tensor_topology(self) -> TensorTopology:
        return TensorTopology(self._topology or SINGLE)

    def to_numpy(self) -> np.ndarray[Any, np.dtype[Any]]:
        if self._shards is not None and len(self._shards) > 1:
            dist = MeshShape(list((self._topology or SINGLE).dist))
            raise fatal(
                f"Can't convert a tensor distributed on {dist!r} mesh to row-major logical tensor. "
                "Supply a mesh composer to concatenate multi-device shards."
            )
        return np.array(self._values, copy=True)

    def to_list(self) -> list[Any]:
        return self._values.tolist()  # type: ignore[no-any-return]

    def to_torch(self) -> Any:
        import torch

        return torch.from_numpy(self.to_numpy())

    def deallocate(self, force: bool = True) -> None:
        if self._buffer is not None:
            self._buffer.free()

    def volume(self) -> int:
        return int(np.prod(self.padded_shape._dims)) if self._values.ndim else 1

    def logical_volume(self) -> int:
        return int(self._values.size)

    def __repr__(self) -> str:
        return (
            f"ttnn.Tensor(shape={self.shape!r}, dtype=DataType::{self.dtype.name}, layout=Layout::{self.layout.name})"
        )

    # ----------------------------------------------------------------- device placement
    def _place(self, device: MeshDevice, memory_config: MemoryConfig) -> None:
        check_spec(tuple(self._values.shape), self.dtype, self.layout, memory_config, device)
        n = device.get_num_devices()
        if self._shards is None and n > 1:
            # a plain host tensor sent to a mesh replicates, labelled 1-D over every device (probe)
            self._shards = [self._values] * n
            self._topology = Topology((n,), (None,), coords_for((n,), tuple(device.shape)))
        self._buffer = device.allocator.allocate(tuple(self._values.shape), self.dtype, self.layout, memory_config)
        self._device = device
        # a placed sharded tensor reports ttnn's derived nd_shard_spec (printed; not in equality)
        self._memory_config = memory_config.with_nd_mirror() if memory_config.shard_spec is not None else memory_config

    def on_device(self, device: MeshDevice, memory_config: MemoryConfig) -> Tensor:
        t = Tensor._from_values(self._values, self.dtype, self.layout)
        t._shards, t._topology = self._shards, self._topology
        t._place(device, memory_config)
        return t


def check_spec(
    shape: tuple[int, ...], dtype: DataType, layout: Layout, mc: MemoryConfig, device: MeshDevice | None
) -> None:
    """ttnn's TensorSpec / allocation checks, in ttgen.facts.validity's single encoding."""
    tile = layout is Layout.TILE
    err = layout_error(dtype.name, tile)
    if err:
        raise fatal(err)
    if mc.is_sharded():
        if mc.shard_spec is None:
            raise fatal("Sharded tensors must have a shard spec")
        s = mc.shard_spec
        shard = ShardLayout(
            mc.memory_layout.name,
            (s.shape[0], s.shape[1]),
            tuple((r.start.x, r.start.y, r.end.x, r.end.y) for r in s.grid.ranges()),
            s.orientation.name,
        )
        err = shard_error(shape, tile, shard)
        if err is None and device is not None and mc.buffer_type is BufferType.L1:
            err = grid_error(shape, tile, shard, device.model.grid_x, device.model.grid_y)
        if err:
            raise fatal(err)


class Buffer:
    def __init__(self, allocator: Allocator, banks: list[int], per_bank: int, l1: bool) -> None:
        self.allocator = allocator
        self.banks = banks
        self.per_bank = per_bank
        self.l1 = l1
        self.freed = False

    def free(self) -> None:
        if not self.freed:
            self.allocator.release(self)
            self.freed = True


class Allocator:
    """Per-bank bookkeeping of L1 (one bank per compute core) and DRAM: enough to raise ttnn's
    out-of-memory error where ttnn would (no fragmentation is modelled)."""

    def __init__(self, device: MeshDevice, booking: bool = True) -> None:
        m = device.model
        self.device = device
        self.booking = booking  # False: a chip of a mesh whose chip 0 books the lockstep buffers
        self.l1_banks = m.grid_x * m.grid_y
        self.l1_size = m.l1_bank_size - device.l1_small_size
        self.l1_used = [0] * self.l1_banks
        self.dram_used = [0] * m.dram_banks

    def allocate(self, shape: tuple[int, ...], dtype: DataType, layout: Layout, mc: MemoryConfig) -> Buffer:
        m = self.device.model
        l1 = mc.buffer_type is BufferType.L1
        align = m.l1_alignment if l1 else m.dram_alignment
        padded = padded_dims(shape, layout)
        width = padded[-1] if padded else 1
        height = int(np.prod(padded[:-1])) if len(padded) > 1 else 1
        if layout is Layout.TILE:
            page, page_h, page_w = TILE_BYTES[dtype], TILE, TILE
        else:
            page_h, page_w = 1, width
            page = ELEMENT_BYTES.get(dtype, 4) * width
        if mc.is_sharded() and mc.shard_spec is not None:
            sh, sw = mc.shard_spec.shape
            if layout is not Layout.TILE:
                page, page_w = ELEMENT_BYTES.get(dtype, 4) * sw, sw
            page = -(-page // align) * align
            pages = -(-sh // page_h) * -(-sw // page_w)
            shards = -(-height // sh) * -(-width // sw)
            banks = list(range(min(shards, mc.shard_spec.num_cores())))
            per_bank = pages * page
        else:
            page = -(-page // align) * align
            pages = -(-height // page_h) * -(-width // page_w)
            nbanks = self.l1_banks if l1 else m.dram_banks
            banks = list(range(nbanks))
            per_bank = -(-pages // nbanks) * page
        used = self.l1_used if l1 else self.dram_used
        size = self.l1_size if l1 else m.dram_bank_size
        worst = max(used[b] for b in banks)
        if worst + per_bank > size:
            kind = "L1" if l1 else "DRAM"
            raise fatal(
                f"Out of Memory: Not enough space to allocate {per_bank * len(banks)} B {kind} buffer across "
                f"{len(banks)} banks, where each bank needs to store {per_bank} B, but bank size is {size} B "
                f"(allocated: {worst} B, free: {size - worst} B, largest free block: {size - worst} B)."
            )
        if not self.booking:
            return Buffer(self, [], 0, l1)
        for b in banks:
            used[b] += per_bank
        return Buffer(self, banks, per_bank, l1)

    def release(self, buf: Buffer) -> None:
        used = self.l1_used if buf.l1 else self.dram_used
        for b in buf.banks:
            used[b] -= buf.per_bank
