"""Many offices, one ledger, through git: the ledger-aware merge driver
(:mod:`~target_tracker.merge.driver`) and the repository set-up
(:mod:`~target_tracker.merge.git_setup`)."""
