"""Tools around the job: the benchmark, the seeded synthetic corpora, and the NegEx test kit scorer."""
