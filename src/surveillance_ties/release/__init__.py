"""Releasing: the release files (``build``), the data diff and its renderings, and the semver guard.

- :mod:`.build`: validate, then write the zip, SQLite, Parquet and checksum files of a version,
  all at once;
- :mod:`.export`: the SQLite and Parquet files, typed by the one type map;
- :mod:`.diff` and :mod:`.diff_render`: what changed between two copies, as data, then as text,
  JSON or Markdown;
- :mod:`.semver`: the version bump a change needs (``release --check``) and setting it
  (``release --bump``).
"""
