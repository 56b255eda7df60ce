"""Reports from the public (举报): intake and triage (the reports feature), verification, outcome and rewards."""
