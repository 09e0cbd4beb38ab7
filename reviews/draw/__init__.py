"""The panel draw: who is eligible (``pool``), the composition rules said once (``constraints``),
the single-review engine (``engine``), the batch program (``batch``, and ``batch_v1`` for old
records), the replay (``verify``), the free seat (``replacement``), the writes (``services``) and
the reads of a record (``selectors``). ``constraints``, ``engine`` and ``batch`` need no database:
a record replays from its own data.
"""
