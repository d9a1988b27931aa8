{#- Every read and write of a run resolved to an artifact, a dataset version
    (docs/openlineage.md section 6.2), plus the evaluation verdicts the convention derives
    (section 6.3). One row per (run, artifact, direction).

    A dataset version is (namespace, name, version key): `version:<v>` when the dataset
    version facet says `v`; else, for an output, `run:<runId>` (each run writing a dataset
    without a version makes a version of its own); for an input without a version, the
    latest version of the dataset written before the reading run started, by another run
    that did not fail or abort (written: first listed as an output), and `(unproduced)` when
    there is none. A run whose inputs carry dataQualityAssertions facets outputs a verdict,
    artifact (`(graphlets)`, `verdict`, `run:<runId>`), blessed when every assertion on its
    non-baseline inputs succeeded.

    `source_artifact_key` numbers the possible artifacts of a source in the order they first
    appeared (load, then event time, then identity), which later loads never change: an input
    later resolved to a newly arrived version keeps the key of every artifact already seen. -#}
with

runs as (
    select * from {{ ref('int_openlineage_runs') }}
    where not is_parent_run
),

listed as (
    select run_datasets.*
    from {{ ref('int_openlineage_run_datasets') }} as run_datasets
    inner join runs
        on run_datasets.source_id = runs.source_id
        and run_datasets.run_id = runs.run_id
),

-- Versions written: one per versioned output, else one per writing run.
writes as (
    select
        listed.*,
        case
            when declared_version is not null then 'version:' || declared_version
            else 'run:' || run_id
        end as version_key,
    from listed
    where direction = 'output'
),

versioned_reads as (
    select listed.*, 'version:' || declared_version as version_key,
    from listed
    where direction = 'input' and declared_version is not null
),

-- An unversioned read: the latest version written before the reader started.
unversioned_reads as (
    select listed.*, readers.started_at as reader_started_at,
    from listed
    inner join runs as readers
        on listed.source_id = readers.source_id
        and listed.run_id = readers.run_id
    where listed.direction = 'input' and listed.declared_version is null
),

usable_writes as (
    select writes.source_id, writes.dataset_namespace, writes.dataset_name,
        writes.version_key, writes.run_id as writer_run_id, writes.first_listed_at,
    from writes
    inner join runs as writers
        on writes.source_id = writers.source_id
        and writes.run_id = writers.run_id
    where writers.state not in ('FAILED', 'CANCELED')
),

resolved_reads as (
    select
        unversioned_reads.*,
        coalesce(
            (
                select {{ graphlets_arg_max(
                    'usable_writes.version_key', 'usable_writes.first_listed_at'
                ) }}
                from usable_writes
                where usable_writes.source_id = unversioned_reads.source_id
                    and usable_writes.dataset_namespace = unversioned_reads.dataset_namespace
                    and usable_writes.dataset_name = unversioned_reads.dataset_name
                    and usable_writes.writer_run_id <> unversioned_reads.run_id
                    and usable_writes.first_listed_at <= unversioned_reads.reader_started_at
            ),
            '(unproduced)'
        ) as version_key,
    from unversioned_reads
),

verdicts as (
    select
        source_id,
        run_id,
        'output' as direction,
        '(graphlets)' as dataset_namespace,
        'verdict' as dataset_name,
        'run:' || run_id as version_key,
        min(first_listed_at) as first_listed_at,
        min(first_seen) as first_seen,
        'ModelBlessing' as facet_type,
        bool_and(assertions_passed) as facet_blessed,
    from listed
    where
        direction = 'input'
        and assertions_passed is not null
        and coalesce(event_key not in (
            {%- for key in var('graphlets_baseline_keys') %}
            '{{ key }}'{{ "," if not loop.last }}
            {%- endfor %}
        ), true)
    group by source_id, run_id
),

io as (
    select source_id, run_id, direction, dataset_namespace, dataset_name, version_key,
        first_listed_at, first_seen, facet_type, facet_span, event_key, facet_blessed,
        facet_pushed,
    from writes
    union all
    select source_id, run_id, direction, dataset_namespace, dataset_name, version_key,
        first_listed_at, first_seen, facet_type, facet_span, event_key, null, null,
    from versioned_reads
    union all
    select source_id, run_id, direction, dataset_namespace, dataset_name, version_key,
        first_listed_at, first_seen, facet_type, facet_span, event_key, null, null,
    from resolved_reads
    union all
    select source_id, run_id, direction, dataset_namespace, dataset_name, version_key,
        first_listed_at, first_seen, facet_type, null, null, facet_blessed, null,
    from verdicts
),

-- Every artifact that could appear: grows with every load and never loses a member, so its
-- numbering is stable. An unversioned read counts as a possible `(unproduced)` version.
possible_artifacts as (
    select source_id, dataset_namespace, dataset_name, version_key, first_seen from writes
    union all
    select source_id, dataset_namespace, dataset_name, version_key, first_seen
    from versioned_reads
    union all
    select source_id, dataset_namespace, dataset_name, '(unproduced)', first_seen
    from unversioned_reads
    union all
    select source_id, dataset_namespace, dataset_name, version_key, first_seen from verdicts
),

artifact_keys as (
    select
        source_id, dataset_namespace, dataset_name, version_key,
        row_number() over (
            partition by source_id
            order by min(first_seen), dataset_namespace, dataset_name, version_key
        ) as source_artifact_key,
    from possible_artifacts
    group by source_id, dataset_namespace, dataset_name, version_key
),

-- (run, artifact, direction) once: a version read through several listings (a versioned
-- read and a resolved one of the same version) is one event.
final as (
    select
        io.source_id,
        io.run_id,
        io.direction,
        io.dataset_namespace,
        io.dataset_name,
        io.version_key,
        artifact_keys.source_artifact_key,
        min(io.first_listed_at) as event_at,
        min(io.event_key) as event_key,
        max(io.facet_type) as facet_type,
        max(io.facet_span) as facet_span,
        bool_or(io.facet_blessed) as blessed,
        bool_or(io.facet_pushed) as pushed,
    from io
    inner join artifact_keys
        on io.source_id = artifact_keys.source_id
        and io.dataset_namespace = artifact_keys.dataset_namespace
        and io.dataset_name = artifact_keys.dataset_name
        and io.version_key = artifact_keys.version_key
    group by all
)

select * from final
