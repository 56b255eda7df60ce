"""The three registers (一单两库): enterprises and sites, inspectors and experts, checklist templates."""
