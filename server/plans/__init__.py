"""Inspection plans (年度监督检查计划) and their 双随机 draw: a pure core in `draw`, its pieces beside it."""
