"""The job: one report through nlp and fields within its budget, chunked and parallel streaming with resume, the run
manifest, and the same job from SQL and on Spark."""
