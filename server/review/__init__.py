"""The supervisors' review (审核) of filed inspections: queue, decisions and their consequences."""
