"""What the kernel and the driver process say to each other about a Spark-fed run
(docs/design.md §4.16): addresses, never rows. Both are small and picklable, and travel in the
run request and its answer."""
from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class ExecutorPartitions:
    """The input of a run: the one-shot data server of each Spark partition, in partition order,
    opened by the Spark task that holds it (spark_tasks.partition_server)."""

    addresses: list  # [(host, port)]
    schema: pa.Schema  # the streams' schema

    def __len__(self) -> int:
        return len(self.addresses)


@dataclass
class ServedOutput:
    """The output of a run's foreach/map_iter: one-shot servers in Ray, one per partition in
    partition order, each holding its partition's rows until Spark reads them."""

    addresses: list  # [(host, port)]
    schema: pa.Schema  # the declared schema the rows were built on
    rows: list = field(default_factory=list)  # rows per partition
