{#- The pruning trade-off per pipeline group: one row per (policy, threshold,
    pipeline_group), the sum of rpt_pruning_pipelines over the group's pipelines. Columns as
    in rpt_pruning_tradeoff (docs/semantics.md section 7). -#}
{{ pruning_tradeoff(['pipeline_group']) }}
