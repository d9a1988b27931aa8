"""Peer: ML Metadata's own lineage API on the same store (runs in .venv-mlmd).

For a sample of trainer executions, the closest call the client library has to a graphlet:
`get_lineage_subgraph` upstream from the trainer, ending at other trainers, plus downstream
from it (evaluators, pushers). Usage: mlmd_lineage.py STORE SAMPLE OUT.json
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

TRAINER = "tfx.components.trainer.component.Trainer"


def main() -> None:
    store_path, sample, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    opened = time.monotonic()
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = store_path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READONLY
    store = metadata_store.MetadataStore(config)
    trainers = store.get_executions_by_type(TRAINER)
    chosen = random.Random(0).sample(trainers, min(sample, len(trainers)))
    setup_seconds = time.monotonic() - opened
    nodes = 0
    started = time.monotonic()
    for done, execution in enumerate(chosen, start=1):
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
        # Rewritten after every model: a run stopped at the time limit still reports.
        report = {
            "models": done,
            "seconds": time.monotonic() - started,
            "setup_seconds": setup_seconds,
            "nodes": nodes,
            "trainers_in_store": len(trainers),
        }
        with open(out + ".tmp", "w") as fh:
            json.dump(report, fh)
        os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
