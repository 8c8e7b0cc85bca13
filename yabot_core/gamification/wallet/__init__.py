"""The besitos wallet: ledger, balance, escrow holds (internal package; import from ``gamification``)."""
