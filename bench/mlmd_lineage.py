"""Peer: ML Metadata's own lineage API on the same store (runs in .venv-mlmd).

For a sample of trainer executions, the closest call the client library has to a graphlet:
`get_lineage_subgraph` upstream from the trainer, ending at other trainers, plus downstream
from it (evaluators, pushers). Usage: mlmd_lineage.py STORE SAMPLE OUT.json
"""

from __future__ import annotations

import json
import random
import sys
import time

from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

TRAINER = "tfx.components.trainer.component.Trainer"


def main() -> None:
    store_path, sample, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = store_path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READONLY
    store = metadata_store.MetadataStore(config)
    trainers = store.get_executions_by_type(TRAINER)
    chosen = random.Random(0).sample(trainers, min(sample, len(trainers)))
    nodes = 0
    started = time.monotonic()
    for execution in chosen:
        for direction in (
            pb.LineageSubgraphQueryOptions.UPSTREAM,
            pb.LineageSubgraphQueryOptions.DOWNSTREAM,
        ):
            options = pb.LineageSubgraphQueryOptions(
                starting_executions=pb.LineageSubgraphQueryOptions.StartingNodes(
                    filter_query=f"id = {execution.id}"
                ),
                max_num_hops=64,
                direction=direction,
            )
            if direction == pb.LineageSubgraphQueryOptions.UPSTREAM:
                options.ending_executions.filter_query = (
                    f"type = '{TRAINER}' AND id != {execution.id}"
                )
            graph = store.get_lineage_subgraph(options)
            nodes += len(graph.executions) + len(graph.artifacts)
    seconds = time.monotonic() - started
    with open(out, "w") as fh:
        json.dump(
            {
                "models": len(chosen),
                "seconds": seconds,
                "nodes": nodes,
                "trainers_in_store": len(trainers),
            },
            fh,
        )


if __name__ == "__main__":
    main()
