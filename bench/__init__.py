"""The benchmark: Overworld's hot endpoints at scale, against a bare Django view."""
