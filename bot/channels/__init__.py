"""Input channels of KK-assistenten. Shared logic (masking, validation, payloads) is in common."""
