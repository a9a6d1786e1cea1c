"""Legal guidance for caseworkers: retrieval over legal notes, calibrated confidence, answers."""
