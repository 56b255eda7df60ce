"""The hazard closed loop (隐患闭环): state machine, cases, orders, re-inspection, escalation, register."""
