"""Legal guidance for caseworkers: retrieval over the legal notes, calibrated confidence, answers."""
