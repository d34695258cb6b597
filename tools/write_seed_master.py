"""Write the seed master, `tests/fixtures/seed_master.json`: a small, hand-chosen set of
configurations built as IR and written by ttgen's own serializer, which tests use for what the
traced examples do not call (relu, typecast, float32, ROW_MAJOR, DRAM-resident sharding ...).
They cover the ops and memory layouts TT-NN model code uses most: interleaved DRAM/L1, height-,
width- (two-range grid) and block-sharded L1, bfloat16/bfloat8_b/float32, TILE and ROW_MAJOR.
The embedded default master (`traced_operations/`) is traced from examples/ by `ttgen trace`.

    python tools/write_seed_master.py            # rewrite the file
    python tools/write_seed_master.py --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import sys
from pathlib import Path

from ttgen.ingest.master import make_config
from ttgen.model import (
    DRAM_MEMORY_CONFIG,
    L1_MEMORY_CONFIG,
    ArgValue,
    BufferType,
    CoreCoord,
    CoreRange,
    CoreRangeSet,
    DataType,
    EnumValue,
    Execution,
    FloatValue,
    IntValue,
    Layout,
    ListValue,
    MachineInfo,
    Master,
    MasterMetadata,
    MemoryConfig,
    MemoryConfigValue,
    OpConfig,
    ShardOrientation,
    ShardSpec,
    TensorMemoryLayout,
    TensorSpec,
    TensorValue,
)
from ttgen.model.serialize import dumps_master

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "seed_master.json"
N150 = MachineInfo(board_type="Wormhole", device_series="n150", card_count=1, device_count=1)
SOURCE = "tools/write_seed_master.py"


def grid(*ranges: tuple[int, int, int, int]) -> CoreRangeSet:
    return CoreRangeSet(
        ranges=tuple(CoreRange(start=CoreCoord(x=a, y=b), end=CoreCoord(x=c, y=d)) for a, b, c, d in ranges)
    )


def sharded(layout: TensorMemoryLayout, shard: tuple[int, int], *ranges: tuple[int, int, int, int]) -> MemoryConfig:
    return MemoryConfig(
        memory_layout=layout,
        buffer_type=BufferType.L1,
        shard_spec=ShardSpec(grid=grid(*ranges), shape=shard, orientation=ShardOrientation.ROW_MAJOR),
    )


HEIGHT = sharded(TensorMemoryLayout.HEIGHT_SHARDED, (32, 64), (0, 0, 7, 0))
WIDTH = sharded(TensorMemoryLayout.WIDTH_SHARDED, (32, 64), (0, 0, 3, 0), (0, 1, 3, 1))
BLOCK = sharded(TensorMemoryLayout.BLOCK_SHARDED, (64, 64), (0, 0, 3, 1))


def tensor(
    shape: tuple[int, ...],
    dtype: DataType = DataType.BFLOAT16,
    mc: MemoryConfig = DRAM_MEMORY_CONFIG,
    layout: Layout = Layout.TILE,
) -> TensorValue:
    return TensorValue(spec=TensorSpec(shape=shape, dtype=dtype, layout=layout, memory_config=mc))


def config(op: str, count: int, **args: ArgValue) -> OpConfig:
    return make_config(op, args, "", executions=(Execution(source=SOURCE, machine_info=N150, count=count),))


def configs() -> list[OpConfig]:
    return [
        config("ttnn.add", 4, arg0=tensor((1, 1, 32, 2048)), arg1=tensor((1, 1, 32, 2048))),
        config(
            "ttnn.add",
            2,
            arg0=tensor((1, 1, 256, 64), mc=HEIGHT),
            arg1=tensor((1, 1, 256, 64), mc=HEIGHT),
            memory_config=MemoryConfigValue(config=HEIGHT),
        ),
        config("ttnn.add", 1, arg0=tensor((1, 1, 32, 32)), arg1=tensor((4, 1, 32, 32))),
        config("ttnn.multiply", 3, arg0=tensor((1, 1, 256, 64), mc=HEIGHT), arg1=FloatValue.of(0.5)),
        config(
            "ttnn.multiply",
            1,
            arg0=tensor((1, 1, 64, 128), mc=BLOCK),
            arg1=tensor((1, 1, 64, 128), mc=BLOCK),
        ),
        config(
            "ttnn.matmul",
            2,
            arg0=tensor((1, 1, 256, 64)),
            arg1=tensor((1, 1, 64, 128), dtype=DataType.BFLOAT8_B),
            memory_config=MemoryConfigValue(config=L1_MEMORY_CONFIG),
        ),
        config("ttnn.softmax", 2, arg0=tensor((1, 1, 256, 128), mc=L1_MEMORY_CONFIG), dim=IntValue(value=-1)),
        config("ttnn.gelu", 1, arg0=tensor((1, 1, 256, 128), mc=L1_MEMORY_CONFIG)),
        config("ttnn.relu", 1, arg0=tensor((4, 1, 32, 32))),
        config("ttnn.sigmoid_accurate", 1, arg0=tensor((1, 1, 32, 512), mc=WIDTH)),
        config(
            "ttnn.reshape",
            1,
            arg0=tensor((1, 1, 64, 128)),
            arg1=ListValue(items=tuple(IntValue(value=d) for d in (1, 2, 32, 128))),
        ),
        config(
            "ttnn.permute",
            1,
            arg0=tensor((1, 2, 32, 64)),
            arg1=ListValue(items=tuple(IntValue(value=d) for d in (0, 2, 1, 3))),
        ),
        config(
            "ttnn.layer_norm",
            1,
            arg0=tensor((1, 1, 32, 256)),
            epsilon=FloatValue.of(1e-5),
            weight=tensor((1, 1, 32, 256)),
        ),
        config(
            "ttnn.typecast",
            1,
            arg0=tensor((1, 1, 32, 32)),
            arg1=EnumValue(enum="DataType", member="FLOAT32"),
        ),
        config("ttnn.relu", 1, arg0=tensor((1, 1, 30, 70), dtype=DataType.FLOAT32, layout=Layout.ROW_MAJOR)),
    ]


def build_master() -> Master:
    by_op: dict[str, list[OpConfig]] = {}
    for c in configs():
        by_op.setdefault(c.operation, []).append(c)
    ops = tuple((op, tuple(by_op[op])) for op in sorted(by_op))
    return Master(
        operations=ops,
        metadata=MasterMetadata(
            models=(SOURCE,),
            unique_operations=len(ops),
            total_configurations=sum(len(cs) for _, cs in ops),
            operations_summary=tuple((op, len(cs)) for op, cs in ops),
        ),
    )


def main(argv: list[str]) -> int:
    text = dumps_master(build_master())
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is not what {SOURCE} writes; run: python {SOURCE}", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
