"""Cohorts over tables (no report text, no spaCy): patients linked from report rows, the index nodule, case definitions
applied, cohort comparisons."""
