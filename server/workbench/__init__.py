"""The supervisor's workbench (工作台): what waits for me, as counts with links to the filtered lists."""
