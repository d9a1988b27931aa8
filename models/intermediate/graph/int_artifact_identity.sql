{#- The identity of every artifact across sources (docs/semantics.md section 1.10, "Artifact
    identity across sources"): one row per artifact of int_artifacts with `identity_key`, its
    location normalised so that two sources naming the same data give the same text. The
    location is the artifact's `uri` (MLMD: the artifact's URI; MLflow: a dataset's source
    `uri`, a logged model's artifact location, a model version's source; OpenLineage: the
    URI the dataset's namespace and name form under OpenLineage's naming spec,
    int_openlineage_graph_artifacts). The rules, in order:

    1. trim spaces, tabs, carriage returns and line feeds; an empty location has no identity;
    2. `scheme:rest` (scheme: a letter, then letters, digits, `+`, `-`, `.`): the scheme is
       lower-cased; a location without one that starts with `/` is an absolute path, read
       as `file:<path>`; any other location (a relative path) has no identity;
    3. the store-relative schemes `models`, `runs` and `mlflow-artifacts` (MLflow's) have no
       identity: the same text names different things in two stores;
    4. `file`: `file:/p`, `file://localhost/p` and `file:///p` all become `file:///p`;
    5. trailing `/` are removed (`s3://lake/features/` = `s3://lake/features`); a location
       that is nothing but slashes after its scheme has no identity.
    Authority and path are otherwise compared as written (case-sensitive, no decoding).

    int_edges matches a consumer's input to a producer's output of another source through
    this key (var `graphlets_cross_source_matching`); within one source, artifacts stay
    matched by artifact_id alone. -#}
with

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

trimmed as (
    select
        artifact_id,
        source_id,
        source_kind,
        uri,
        nullif({{ graphlets_trim('uri', "' ' || chr(9) || chr(13) || chr(10)") }}, '') as location,
    from artifacts
),

split as (
    select
        *,
        case
            when {{ graphlets_regexp_matches("location", "'^[A-Za-z][A-Za-z0-9+.-]*:'") }}
                then lower(regexp_extract(location, '^([A-Za-z][A-Za-z0-9+.-]*):', 1))
            when {{ graphlets_starts_with("location", "'/'") }} then 'file'
        end as scheme,
        case
            when {{ graphlets_regexp_matches("location", "'^[A-Za-z][A-Za-z0-9+.-]*:'") }}
                then substr(location, {{ graphlets_strpos('location', "':'") }} + 1)
            when {{ graphlets_starts_with("location", "'/'") }} then location
        end as rest,
    from trimmed
),

-- `file` locations share one form: `///path` (local) or `//host/path`.
file_forms as (
    select
        *,
        case
            when scheme <> 'file' then rest
            when {{ graphlets_starts_with("rest", "'//localhost/'") }} then '///' || substr(rest, 13)
            when {{ graphlets_starts_with("rest", "'//'") }} then rest
            when {{ graphlets_starts_with("rest", "'/'") }} then '//' || rest
            else rest
        end as normal_rest,
    from split
),

final as (
    select
        artifact_id,
        source_id,
        source_kind,
        uri,
        case
            when location is null then null
            when scheme is null then null
            when scheme in ('models', 'runs', 'mlflow-artifacts') then null
            when {{ graphlets_rtrim('normal_rest', "'/'") }} = '' then null
            else scheme || ':' || {{ graphlets_rtrim('normal_rest', "'/'") }}
        end as identity_key,
        case
            when location is null then 'no_location'
            when scheme is null then 'relative_location'
            when scheme in ('models', 'runs', 'mlflow-artifacts') then 'store_relative'
            when {{ graphlets_rtrim('normal_rest', "'/'") }} = '' then 'no_path'
            when not {{ graphlets_regexp_matches("location", "'^[A-Za-z][A-Za-z0-9+.-]*:'") }} then 'absolute_path'
            else 'uri'
        end as identity_rule,
    from file_forms
)

select * from final
