"""Where the ingest job's per-record work runs: in this process (``ingest.job.build_pipeline``,
the default) or on a Ray cluster (``ingest.executors.ray``, needs the ``ray`` extra)."""
