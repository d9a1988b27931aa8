{#- The pruning trade-off (docs/semantics.md section 7): one row per (policy, threshold) over the
    evaluation range of every source (from its `split_at` to its as-of time), the sum of
    rpt_pruning_pipelines.

    - `waste_saved_fraction`: wasted cost saved / wasted cost of the never-prune baseline
      (cost of the `wasted` executions that started in the evaluation range);
    - `cost_saved_fraction`: cost saved / cost of every execution started in the range;
    - `pushes_lost_fraction`: pushed graphlets skipped / pushed graphlets in the range;
    - `staleness_increase_fraction`: time-averaged staleness of the serving models under the
      policy / the baseline's, minus 1 (time-averaged over every pipeline's window);
    - `mean_push_delay_hours`: how long, on average, a lost push left the previous model
      serving (until the next kept push; censored at the as-of time). -#}
{{ pruning_tradeoff() }}
