"""The domain and the pipeline. Nothing in here knows what a file format is."""
