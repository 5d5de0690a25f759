"""Pure invoicing logic of the local API: no I/O."""
