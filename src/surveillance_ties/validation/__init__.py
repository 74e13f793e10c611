"""The validator of the surveillance-ties data package (see :mod:`.codes` for the error codes)."""
