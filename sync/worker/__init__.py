"""The worker: follows the inspectors' databases and files what their phones send, in ordered, idempotent steps."""
