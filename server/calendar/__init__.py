"""Official calendar (法定节假日与调休): working days and deadlines counted in working or calendar days."""
