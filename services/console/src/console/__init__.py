"""The staff console (工作台): server-rendered pages over the services' HTTP APIs; it owns no business data."""
