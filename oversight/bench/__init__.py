"""Benchmark volumes for the dashboards (manage.py bench_dashboard), written in bulk on PostgreSQL.

On top of the demo (load_demo, then scale_up for communities, grids and sites), with the demo
campaign stretched back to cover the months asked for:

- hazards spread evenly over the campaign's months, each with the timeline the services
  write (HazardEvent: logged, listed, assigned, submitted, returned, closed or cancelled), a
  history row of where it stands now, and the supervision listing of a major one;
- risk points graded with LEC (an inherent and a residual assessment, as the demo grades
  them), reviewed on their level's cadence (Review rows), a history row for every step;
- the reports nobody had filed for the campaign's earlier periods, through the reporting
  services (they are a few hundred: only streets and departments file).

Bulk rows are INSERT … SELECT over generate_series, a chunk per transaction. What a row is
follows from a hash of its ordinal in the district (the n-th hazard of the district is always
the same hazard), so a rerun counts what is there and goes on from it: an interrupted seed
resumes, a finished one is skipped. Bulk rows leave out what the services would add beside
them: photos (no files are written), extension requests, and the audit trail of each step
(the audit listens to the services' history rows; rows written in SQL send nothing).

A module a concern: common (the volumes, the office, the rows of a district), bulk (the SQL
plumbing: hashed numbers, history rows, a chunk's transaction and key checks, the lookup tables),
hazards and risks (their bulk seeds), seed (the demo stretched, the reports, the whole seed); and
for the measuring, small (a small district beside the big one) and changes (what changes between
two rebuilds). Import from the modules; this package re-exports nothing."""
